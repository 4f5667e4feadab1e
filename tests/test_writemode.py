"""Write modes (#13): a fabric says how NetBox may change its objects. A read-only fabric's objects are refused
creation, change and deletion in the UI (buttons not offered, a line saying why), over REST (400 with the same words)
and in the bulk views, while NetBox's own fields (tags, custom fields) stay editable. A sync restores a row changed
behind NetBox's back and records it; every sync records whether it reached the cluster; durations read as people
write them. (Applying edits to the cluster: test_e2e_cluster_write.py.)
"""
import copy
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import yaml
from django.test import SimpleTestCase
from django.urls import reverse
from extras.models import Tag
from kubernetes import client as k8s
from kubernetes.config.kube_config import KubeConfigLoader
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework import status
from users.models import User
from utilities.testing import APITestCase, TestCase, create_tags

from hedgehog_devtools.kubeapi import KubeAPIServer
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.loader import digest
from netbox_hedgehog.models import VPC, Fabric, Switch, SwitchGroup, SyncChange, SyncRun, VPCAttachment
from netbox_hedgehog.sync.plan import RowIdentity, build_kind_plan

from .cluster import VPCS, WIRING, ClusterTestCase
from .gitserver import BareRepo
from .specs import create_fabric, create_objects
from .test_sync import plugin_settings

READ_ONLY_WORDS = 'is read-only: its objects are mirrored from the cluster'
HOW_TO_CHANGE = 'set its write mode to &quot;Apply to cluster&quot; or &quot;Commit to Git&quot;'


# The label of each button on a page (the menu's add/import links carry no label).
BUTTON = re.compile(r'<i class="mdi mdi-[a-z-]+" aria-hidden="true"></i>\s*(Add|Import|Clone|Edit|Delete|Edit Selected|'
                    r'Delete Selected)\s*</')


def buttons(response):
    return set(BUTTON.findall(response.content.decode()))


def api_url(slug, pk=None):
    return f'/api/plugins/hedgehog/{slug}/' + (f'{pk}/' if pk else '')


class DefaultWriteModeTest(APITestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions(*(f'netbox_hedgehog.{action}_fabric' for action in ('view', 'add', 'change')))

    def test_default_follows_git_settings(self):
        plain = self.client.post(api_url('fabrics'), {'name': 'lab', 'kubernetes_server': 'https://172.30.0.1:6443'},
                                 format='json', **self.header)
        self.assertHttpStatus(plain, status.HTTP_201_CREATED)
        self.assertEqual(plain.data['write_mode']['value'], 'read-only')
        gitops = self.client.post(api_url('fabrics'), {'name': 'gitops', 'git_url': 'https://git.example/fab.git'},
                                  format='json', **self.header)
        self.assertHttpStatus(gitops, status.HTTP_201_CREATED)
        self.assertEqual(gitops.data['write_mode']['value'], 'git')
        self.assertEqual(Fabric.objects.get(name='gitops').write_mode, 'git')

    def test_git_mode_needs_a_repository(self):
        response = self.client.post(api_url('fabrics'), {'name': 'lab', 'write_mode': 'git'}, format='json',
                                    **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('Committing to Git needs a Git repository URL.', str(response.data['write_mode']))
        self.assertFalse(Fabric.objects.exists())


class ReadOnlyAPITest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        cls.fabric = create_fabric('mirror', write_mode='read-only')
        cls.group = create_objects(SwitchGroup, cls.fabric, [('eslag-1', {})])[0]
        create_tags('lab')

    def setUp(self):
        super().setUp()
        self.add_permissions(*(f'netbox_hedgehog.{action}_switchgroup' for action in ('view', 'add', 'change',
                                                                                         'delete')),
                             'netbox_hedgehog.view_fabric', 'netbox_hedgehog.change_fabric', 'extras.view_tag')

    def assertRefused(self, response):
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn(f'Fabric "mirror" {READ_ONLY_WORDS}', str(response.data))
        self.assertIn('set its write mode to "Apply to cluster" or "Commit to Git"', str(response.data))

    def test_create_change_delete_refused(self):
        self.assertRefused(self.client.post(api_url('switch-groups'), {'fabric': self.fabric.pk, 'name': 'eslag-2'},
                                            format='json', **self.header))
        self.assertRefused(self.client.patch(api_url('switch-groups', self.group.pk),
                                             {'labels': {'team': 'network'}}, format='json', **self.header))
        self.assertRefused(self.client.delete(api_url('switch-groups', self.group.pk), **self.header))
        self.assertRefused(self.client.patch(api_url('switch-groups'), [{'id': self.group.pk, 'name': 'renamed'}],
                                             format='json', **self.header))
        self.assertRefused(self.client.delete(api_url('switch-groups'), [{'id': self.group.pk}], format='json',
                                              **self.header))
        self.assertEqual(list(SwitchGroup.objects.values_list('name', 'labels')), [('eslag-1', {})])

    def test_netbox_fields_stay_editable(self):
        response = self.client.patch(api_url('switch-groups', self.group.pk), {'tags': [{'name': 'lab'}]},
                                     format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(list(self.group.tags.names()), ['lab'])

    def test_fabric_settings_stay_editable_and_open_the_fabric(self):
        response = self.client.patch(api_url('fabrics', self.fabric.pk), {'write_mode': 'cluster'}, format='json',
                                     **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['write_mode']['value'], 'cluster')
        response = self.client.patch(api_url('switch-groups', self.group.pk), {'labels': {'team': 'network'}},
                                     format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(SwitchGroup.objects.get().labels, {'team': 'network'})

    def test_moving_an_object_out_of_a_read_only_fabric_is_refused(self):
        other = create_fabric('lab')
        self.assertRefused(self.client.patch(api_url('switch-groups', self.group.pk), {'fabric': other.pk},
                                             format='json', **self.header))
        self.assertEqual(SwitchGroup.objects.get().fabric, self.fabric)


class ReadOnlyUITest(TestCase):
    user_permissions = [
        'netbox_hedgehog.view_fabric',
        'extras.view_tag',
        *[f'netbox_hedgehog.{action}_switchgroup' for action in ('view', 'add', 'change', 'delete')],
    ]

    @classmethod
    def setUpTestData(cls):
        cls.fabric = create_fabric('mirror', write_mode='read-only')
        cls.group = create_objects(SwitchGroup, cls.fabric, [('eslag-1', {}), ('eslag-2', {})])[0]
        create_tags('lab')

    def test_buttons_not_offered_with_a_line_saying_why(self):
        detail = self.client.get(self.group.get_absolute_url())
        self.assertHttpStatus(detail, 200)
        self.assertContains(detail, READ_ONLY_WORDS)
        self.assertContains(detail, HOW_TO_CHANGE)
        # Tags and custom fields stay editable.
        self.assertEqual(buttons(detail), {'Edit'})
        listing = self.client.get(reverse('plugins:netbox_hedgehog:switchgroup_list'),
                                  {'fabric_id': self.fabric.pk})
        self.assertContains(listing, READ_ONLY_WORDS)
        # The list offers no bulk change, and its rows no edit or delete (tests/test_status.py).
        self.assertEqual(buttons(listing), set())

        # A fabric that takes edits offers them again.
        Fabric.objects.filter(pk=self.fabric.pk).update(write_mode='cluster')
        detail = self.client.get(self.group.get_absolute_url())
        self.assertNotContains(detail, READ_ONLY_WORDS)
        self.assertEqual(buttons(detail), {'Clone', 'Edit', 'Delete'})
        listing = self.client.get(reverse('plugins:netbox_hedgehog:switchgroup_list'), {'fabric_id': self.fabric.pk})
        self.assertEqual(buttons(listing), {'Add', 'Import', 'Edit Selected', 'Delete Selected'})

    def test_edit_form_keeps_the_kubernetes_part_and_saves_tags(self):
        url = reverse('plugins:netbox_hedgehog:switchgroup_edit', args=[self.group.pk])
        form = self.client.get(url)
        self.assertContains(form, READ_ONLY_WORDS)
        response = self.client.post(url, {
            'fabric': self.fabric.pk, 'name': 'renamed', 'spec': '{}', 'labels': 'team: network', 'annotations': '',
            'tags': [Tag.objects.get(name='lab').pk],
        })
        self.assertHttpStatus(response, 302)
        self.group.refresh_from_db()
        self.assertEqual((self.group.name, self.group.labels), ('eslag-1', {}))
        self.assertEqual(list(self.group.tags.names()), ['lab'])

    def test_create_delete_and_bulk_views_refused(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:switchgroup_add'), {
            'fabric': self.fabric.pk, 'name': 'eslag-3', 'spec': '{}', 'labels': '', 'annotations': '',
        })
        self.assertContains(response, READ_ONLY_WORDS)
        response = self.client.post(
            reverse('plugins:netbox_hedgehog:switchgroup_delete', args=[self.group.pk]), {'confirm': True},
            follow=True,
        )
        self.assertContains(response, READ_ONLY_WORDS)
        response = self.client.post(reverse('plugins:netbox_hedgehog:switchgroup_bulk_delete'), {
            'pk': [self.group.pk], 'confirm': True, '_confirm': True,
        }, follow=True)
        self.assertContains(response, READ_ONLY_WORDS)
        response = self.client.post(reverse('plugins:netbox_hedgehog:switchgroup_bulk_import'), {
            'data': f'fabric,name,spec\n{self.fabric.name},eslag-9,{{}}\n', 'format': 'csv', 'csv_delimiter': ',',
        })
        self.assertContains(response, READ_ONLY_WORDS)
        self.assertEqual(sorted(SwitchGroup.objects.values_list('name', flat=True)), ['eslag-1', 'eslag-2'])


class NoSilentDivergenceTest(ClusterTestCase):
    """A row changed in NetBox behind the write path's back (a shell, a script) is restored by the next sync, even
    though the cluster's resourceVersion did not change, and the run says so."""

    def test_row_changed_behind_netboxs_back_is_restored_and_recorded(self):
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric()
        self.assertEqual(self.sync(fabric).status, 'succeeded')
        vpc = VPC.objects.get(fabric=fabric, name='vpc-1')
        vlan = vpc.spec['subnets']['default']['vlan']
        spec = copy.deepcopy(vpc.spec)
        spec['subnets']['default']['vlan'] = 1999
        VPC.objects.filter(pk=vpc.pk).update(spec=spec)

        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(run.total('update'), 1)
        self.assertIn('VPC vpc-1: Changed in NetBox outside the write path; restored from the cluster', run.log)
        change = SyncChange.objects.get(run=run, action='update')
        self.assertEqual(change.name, 'vpc-1')
        self.assertEqual(change.message, 'Changed in NetBox outside the write path; restored from the cluster')
        self.assertEqual(VPC.objects.get(pk=vpc.pk).spec['subnets']['default']['vlan'], vlan)
        fabric.refresh_from_db()
        self.assertEqual(fabric.sync_status, 'synced')

        # Nothing left to restore: the next sync changes nothing.
        again = self.sync(fabric)
        self.assertEqual(again.total('update'), 0)
        self.assertNotIn('restored from the cluster', again.log)


class ConnectionStatusBySyncTest(ClusterTestCase):
    """Every sync updates the fabric's connection status, not only "Test connection"."""

    def test_sync_records_whether_it_reached_the_cluster(self):
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric()
        run = self.sync(fabric)
        fabric.refresh_from_db()
        self.assertEqual(fabric.connection_status, 'connected')
        self.assertEqual(fabric.connection_message, f'Read by sync run #{run.pk}.')

        self.kube.inject(method='GET', status=401, count=None)
        failed = self.sync(fabric)
        self.assertEqual(failed.status, 'failed')
        fabric.refresh_from_db()
        self.assertEqual(fabric.connection_status, 'failed')
        self.assertIn('rejected the credentials (401 Unauthorized)', fabric.connection_message)


class DurationTextTest(SimpleTestCase):
    def test_durations_read_as_people_write_them(self):
        start = datetime(2026, 12, 6, 12, 0, 0)
        for seconds, text in ((0.4, '0.4 s'), (1.23, '1.2 s'), (59.9, '59.9 s'), (184, '3 min 4 s'),
                              (3720, '1 h 2 min')):
            with self.subTest(seconds=seconds):
                run = SyncRun(started=start, finished=start + timedelta(seconds=seconds))
                self.assertEqual(run.duration_text, text)
        self.assertEqual(SyncRun(started=start).duration_text, '')


class HealthLineTest(TestCase):
    """The fabric page always says how the workers, the sidecar and the task queue are: a green line when fine."""
    user_permissions = ['netbox_hedgehog.view_fabric']

    def test_green_line_when_fine_and_problems_otherwise(self):
        fabric = create_fabric('lab')
        healthy = 'Workers, scheduler sidecar and task queue are running.'
        with mock.patch('netbox_hedgehog.scheduling.queue_health', return_value=[]):
            self.assertContains(self.client.get(fabric.get_absolute_url()), healthy)
        problem = 'No worker is listening on the high queue'
        with mock.patch('netbox_hedgehog.scheduling.queue_health', return_value=[problem]):
            page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, problem)
        self.assertNotContains(page, healthy)


class ClusterEditQueueTest(TestCase):
    """An edit of a cluster fabric's object is queued for the cluster once the request's transaction commits; when
    the task queue cannot be reached, the object says so instead of waiting for ever."""
    user_permissions = ['netbox_hedgehog.view_fabric', 'netbox_hedgehog.view_switchgroup',
                        'netbox_hedgehog.change_switchgroup']

    def setUp(self):
        super().setUp()
        self.fabric = create_fabric('lab', write_mode='cluster')
        self.group = create_objects(SwitchGroup, self.fabric, [('eslag-1', {})])[0]
        self.url = reverse('plugins:netbox_hedgehog:switchgroup_edit', args=[self.group.pk])
        self.data = {'fabric': self.fabric.pk, 'name': 'eslag-1', 'spec': '{}', 'labels': 'team: network',
                     'annotations': ''}

    def test_edit_is_queued_and_pending(self):
        with mock.patch('django_rq.get_queue') as get_queue, self.captureOnCommitCallbacks(execute=True):
            self.assertHttpStatus(self.client.post(self.url, self.data), 302)
        queued = [call.args for call in get_queue.return_value.enqueue.call_args_list
                  if call.args[0] == 'rq_jobs.cluster.apply_to_cluster']
        self.assertEqual(queued, [('rq_jobs.cluster.apply_to_cluster', self.fabric.pk, 'switchgroup', self.group.pk,
                                   None)])
        self.group.refresh_from_db()
        self.assertEqual(self.group.labels, {'team': 'network'})
        self.assertIsNotNone(self.group.apply_pending_since)

    def test_unreachable_queue_is_said_on_the_object(self):
        with mock.patch('django_rq.get_queue', side_effect=RedisConnectionError('refused')), \
                self.captureOnCommitCallbacks(execute=True):
            self.assertHttpStatus(self.client.post(self.url, self.data), 302)
        self.group.refresh_from_db()
        self.assertIsNone(self.group.apply_pending_since)
        self.assertIn('could not be queued for the cluster', self.group.apply_error)


class PendingApplyPlanTest(SimpleTestCase):
    """How a sync treats objects whose NetBox edit waits to be applied to the cluster."""
    SPEC = {'subnets': {'default': {'subnet': '10.20.1.0/24', 'vlan': 1001}}}
    EDITED = {'subnets': {'default': {'subnet': '10.20.1.0/24', 'vlan': 1999}}}

    def item(self, name, spec, uid='uid-1', version='7'):
        return {'metadata': {'name': name, 'uid': uid, 'resourceVersion': version}, 'spec': spec}

    def identity(self, name, spec, pending, pk=1, uid='uid-1', version='7'):
        return RowIdentity(pk, uid, version, '', '', None, digest('VPC', name, spec, {}, {}), pending)

    def plan(self, items, identities):
        def no_rows(ids):
            raise AssertionError(f'rows {ids} were loaded')
        return build_kind_plan(KIND_BY_NAME['VPC'], items, identities, no_rows)

    def test_pending_edit_is_kept_until_the_cluster_shows_it(self):
        now = datetime(2026, 12, 6, 12, 0, 0)
        waiting = self.plan([self.item('vpc-1', self.SPEC)], {'vpc-1': self.identity('vpc-1', self.EDITED, now)})
        self.assertEqual((waiting.counts()['unchanged'], waiting.confirmed, waiting.restored), (1, [], []))
        shown = self.plan([self.item('vpc-1', self.EDITED)], {'vpc-1': self.identity('vpc-1', self.EDITED, now)})
        self.assertEqual((shown.counts()['unchanged'], shown.confirmed), (1, [1]))

    def test_pending_creation_and_rename_are_neither_pruned_nor_recreated(self):
        now = datetime(2026, 12, 6, 12, 0, 0)
        plan = self.plan([self.item('vpc-1', self.SPEC)], {
            'vpc-renamed': self.identity('vpc-renamed', self.SPEC, now, pk=1),
            'vpc-new': self.identity('vpc-new', self.SPEC, now, pk=2, uid='', version=''),
        })
        self.assertEqual((plan.create, plan.delete, plan.counts()['unchanged']), ([], [], 1))

    def test_row_changed_behind_netboxs_back_is_restored(self):
        row = SimpleNamespace(pk=1, spec=self.EDITED, labels={}, annotations={}, observed=None, drift_status='',
                              git_file='')
        plan = build_kind_plan(KIND_BY_NAME['VPC'], [self.item('vpc-1', self.SPEC)],
                               {'vpc-1': self.identity('vpc-1', self.EDITED, None)}, lambda ids: {1: row})
        self.assertEqual(plan.restored, ['vpc-1'])
        [(_row, state, changes)] = plan.update
        self.assertEqual(state.spec, self.SPEC)
        self.assertEqual(changes, [{'path': 'spec.subnets.default.vlan', 'old': 1999, 'new': 1001}])


class GitScopeTest(ClusterTestCase):
    """The demo-gitops layout: VPCs and their attachments in Git, wiring applied by the installer. Only the kinds the
    repository manages count as drift; the others are not tracked and read-only in NetBox."""

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix='hedgehog-scope-test-')
        self.addCleanup(tmp.cleanup)
        settings = plugin_settings(git_cache_dir=str(Path(tmp.name) / 'cache'))
        settings.enable()
        self.addCleanup(settings.disable)
        self.repo = BareRepo(Path(tmp.name) / 'fabric.git', {'env-1/vpcs.yaml': VPCS.read_text()})
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(VPCS)
        # The planted differences: a VLAN changed in the cluster, an attachment missing from it.
        vpc = self.kube.get('VPC', 'vpc-1')
        vpc['spec']['subnets']['default']['vlan'] = 1999
        self.kube.put(vpc)
        self.kube.delete('VPCAttachment', 'vpc-2--server-04--unbundled--leaf-02')

    def test_drift_counts_only_the_kinds_in_git(self):
        fabric = self.make_fabric(git_url=self.repo.url, git_path='env-1')
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        fabric.refresh_from_db()
        self.assertEqual(fabric.git_kinds_found, ['VPC', 'VPCAttachment'])
        self.assertEqual(fabric.drift_count, 2)
        self.assertEqual(fabric.drift_status, 'drifted')
        self.assertEqual(VPC.objects.get(fabric=fabric, name='vpc-1').drift_status, 'differs')
        self.assertEqual(set(Switch.objects.filter(fabric=fabric).values_list('drift_status', flat=True)), {''})
        self.assertEqual(Switch.objects.filter(fabric=fabric).count(), 6)

        # Naming the kinds narrows the scope: the attachments are no longer tracked.
        Fabric.objects.filter(pk=fabric.pk).update(git_kinds=['VPC'])
        fabric.refresh_from_db()
        self.sync(fabric)
        fabric.refresh_from_db()
        self.assertEqual(fabric.drift_count, 1)
        self.assertEqual(set(VPCAttachment.objects.filter(fabric=fabric).values_list('drift_status', flat=True)),
                         {''})

    def test_kinds_outside_the_scope_are_read_only(self):
        fabric = self.make_fabric(git_url=self.repo.url, git_path='env-1')
        self.sync(fabric)
        user = User.objects.create_user(username='alice', is_superuser=True)
        self.client.force_login(user)
        switch = Switch.objects.filter(fabric=fabric).first()
        response = self.client.post(reverse('plugins:netbox_hedgehog:switch_delete', args=[switch.pk]),
                                    {'confirm': True}, follow=True)
        self.assertContains(response, 'keeps only VPC, VPCAttachment in Git: Switch objects are not tracked there')
        self.assertTrue(Switch.objects.filter(pk=switch.pk).exists())
        page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, 'Drifted per kind in Git')
        vpcs = self.client.get(reverse('plugins:netbox_hedgehog:vpc_list'), {'fabric_id': fabric.pk})
        self.assertNotContains(vpcs, 'not tracked there')
        # The switch list offers no edit or delete on its rows, nor bulk changes; the VPC list (in scope) does.
        switches = self.client.get(reverse('plugins:netbox_hedgehog:switch_list'), {'fabric_id': fabric.pk})
        self.assertEqual(buttons(switches), set())
        for action in ('edit', 'delete'):
            self.assertNotContains(switches, reverse(f'plugins:netbox_hedgehog:switch_{action}', args=[switch.pk]))
        vpc = VPC.objects.get(fabric=fabric, name='vpc-1')
        self.assertEqual(buttons(vpcs), {'Add', 'Import', 'Edit Selected', 'Delete Selected'})
        for action in ('edit', 'delete'):
            self.assertContains(vpcs, reverse(f'plugins:netbox_hedgehog:vpc_{action}', args=[vpc.pk]))


class PruneBlockedTest(ClusterTestCase):
    def test_fabric_says_how_to_allow_pruning(self):
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric()
        self.sync(fabric)
        for name in ('vpc-1', 'vpc-2'):
            self.kube.delete('VPC', name)
        run = self.sync(fabric)
        self.assertEqual(run.status, 'partial')
        fabric.refresh_from_db()
        self.assertEqual(fabric.sync_status, 'out_of_sync')
        self.assertIn('the cluster returned no VPC objects while NetBox holds some', fabric.last_sync_error)
        self.assertIn('turn on "allow empty kinds" and sync again', fabric.last_sync_error)
        self.assertEqual(VPC.objects.filter(fabric=fabric).count(), 2)


class KubeAPIDryRunTest(SimpleTestCase):
    """The Kubernetes API test server honours dryRun=All: the write is checked and answered, nothing is stored."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kube = KubeAPIServer().start()
        cls.addClassCleanup(cls.kube.stop)

    def test_dry_run_stores_nothing(self):
        self.kube.load_yaml(VPCS)
        cfg = k8s.Configuration()
        KubeConfigLoader(config_dict=yaml.safe_load(self.kube.kubeconfig())).load_and_set(cfg)
        api = k8s.CustomObjectsApi(k8s.ApiClient(cfg))
        current = self.kube.get('VPC', 'vpc-1')
        changed = copy.deepcopy(current)
        changed['spec']['subnets']['default']['vlan'] = 1999
        answer = api.replace_namespaced_custom_object('vpc.githedgehog.com', 'v1beta1', 'default', 'vpcs', 'vpc-1',
                                                      changed, dry_run='All')
        self.assertEqual(answer['spec']['subnets']['default']['vlan'], 1999)
        self.assertEqual(self.kube.get('VPC', 'vpc-1'), current)
        new = {**copy.deepcopy(current), 'metadata': {'name': 'vpc-9', 'namespace': 'default'}}
        api.create_namespaced_custom_object('vpc.githedgehog.com', 'v1beta1', 'default', 'vpcs', new, dry_run='All')
        self.assertIsNone(self.kube.get('VPC', 'vpc-9'))
        api.delete_namespaced_custom_object('vpc.githedgehog.com', 'v1beta1', 'default', 'vpcs', 'vpc-1',
                                            dry_run='All')
        self.assertEqual(self.kube.get('VPC', 'vpc-1'), current)
