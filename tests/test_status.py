"""A fabric's two statuses, named like Argo CD's (#13): *Sync* (NetBox against the cluster) and *Drift* (Git against
the cluster), each labelled wherever it is shown (fabric page, fabric list, REST, GraphQL), so that "In sync" never
stands unlabelled next to "Drifted"; the stored values of the old names are migrated. Also: a dry run is labelled as
one wherever its trigger shows; a blocked prune says how to allow it; the fabric page always shows the workers', the
sidecar's and the task queue's health; lists of objects NetBox does not change offer no edit or delete on their rows.
(A deletion the cluster refused, shown on the fabric page: test_e2e_cluster_write.py.)
"""
import json
import re
from io import StringIO
from unittest import mock

import django_rq
import redis
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rq import Queue, Worker
from rq.job import Job
from utilities.testing import APITestCase, TestCase

from netbox_hedgehog import scheduling
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.models import VPC, Fabric, SwitchGroup
from netbox_hedgehog.sync.apply_cluster import CLUSTER_DELETE_FAILURES_KEPT, apply_deletion
from netbox_hedgehog.sync.errors import ClusterError

from .cluster import VPCS, ClusterTestCase
from .specs import create_fabric, create_objects
from .test_scheduling import keep_signal_handlers
from .test_writemode import buttons

HEALTHY = 'Workers, scheduler sidecar and task queue are running.'
ROW = re.compile(r'<tr[^>]*>(.*?)</tr>', re.S)
TAGS = re.compile(r'<[^>]+>')


def text(html):
    return ' '.join(TAGS.sub(' ', html).split())


def rows_with(html, words):
    """The text of every table row of `html` that contains `words`."""
    return [text(row) for row in ROW.findall(html) if words in text(row)]


def set_state(fabric, **fields):
    Fabric.objects.filter(pk=fabric.pk).update(**fields)
    fabric.refresh_from_db()
    return fabric


class TwoAxesPageTest(TestCase):
    user_permissions = ['netbox_hedgehog.view_fabric']

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.drifted = set_state(create_fabric('drifted', git_url='https://github.com/githedgehog/demo-gitops.git'),
                                sync_status='synced', last_sync=now, drift_count=2)
        cls.clean = set_state(create_fabric('clean', git_url='https://github.com/githedgehog/demo-gitops.git'),
                              sync_status='out_of_sync', last_sync=now, last_sync_error='1 object(s) could not be '
                              'interpreted; see sync run #1.')
        cls.mirror = create_fabric('mirror', write_mode='read-only')

    def test_fabric_page_labels_both_axes(self):
        page = self.client.get(self.drifted.get_absolute_url())
        self.assertHttpStatus(page, 200)
        html = page.content.decode()
        self.assertEqual(set(rows_with(html, 'Synced')), {'Sync Synced'})
        self.assertEqual(rows_with(html, 'Drift '), ['Drift Drifted'])
        self.assertNotIn('In sync', text(html))

        html = self.client.get(self.clean.get_absolute_url()).content.decode()
        # "Out of sync" is not "Synced": the last sync left something unapplied, and the page says what.
        self.assertEqual(set(rows_with(html, 'Out of sync')), {'Sync Out of sync'})
        self.assertNotIn('Synced', text(html))
        self.assertEqual(rows_with(html, 'In sync'), ['Drift In sync'])
        self.assertEqual(rows_with(html, 'Drift '), ['Drift In sync'])
        self.assertIn('1 object(s) could not be interpreted', text(html))

        html = self.client.get(self.mirror.get_absolute_url()).content.decode()
        self.assertEqual(set(rows_with(html, 'Never synced')), {'Sync Never synced'})
        self.assertEqual(rows_with(html, 'Not tracked'), ['Drift Not tracked'])

    def test_fabric_list_badges_carry_their_axis(self):
        page = self.client.get(reverse('plugins:netbox_hedgehog:fabric_list'))
        self.assertHttpStatus(page, 200)
        html = page.content.decode()
        for name, sync, drift in (('drifted', 'Sync: Synced', 'Drift: Drifted'),
                                  ('clean', 'Sync: Out of sync', 'Drift: In sync'),
                                  ('mirror', 'Sync: Never synced', 'Drift: Not tracked')):
            with self.subTest(fabric=name):
                row = next(row for row in rows_with(html, sync) if name in row)
                self.assertIn(drift, row)
        # In the table, "In sync" shows only as the Drift axis's value (the filter form lists it under "Drift").
        in_sync = rows_with(html, 'In sync')
        self.assertEqual(len(in_sync), 1)
        self.assertEqual(in_sync[0].count('In sync'), in_sync[0].count('Drift: In sync'))

    def test_list_filters_by_both_axes(self):
        url = reverse('plugins:netbox_hedgehog:fabric_list')
        page = self.client.get(url, {'drift_status': 'drifted', 'sync_status': 'synced'})
        self.assertContains(page, 'Drift: Drifted')
        self.assertNotContains(page, 'Drift: In sync')
        self.assertNotContains(page, 'Drift: Not tracked')


class TwoAxesAPITest(APITestCase):
    def setUp(self):
        super().setUp()
        self.add_permissions('netbox_hedgehog.view_fabric')
        self.fabric = set_state(create_fabric('lab', git_url='https://github.com/githedgehog/demo-gitops.git'),
                                sync_status='synced', last_sync=timezone.now(), drift_count=3)
        create_fabric('mirror', write_mode='read-only')

    def test_rest_has_both_axes(self):
        response = self.client.get(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['sync_status'], {'value': 'synced', 'label': 'Synced'})
        self.assertEqual(response.data['drift_status'], {'value': 'drifted', 'label': 'Drifted'})
        self.assertEqual(response.data['cluster_delete_failures'], [])
        # Both axes and the refused deletions are written by NetBox only.
        self.add_permissions('netbox_hedgehog.change_fabric')
        response = self.client.patch(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/', {
            'sync_status': 'failed', 'drift_status': 'in_sync', 'cluster_delete_failures': [{'name': 'x'}],
        }, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual((response.data['sync_status']['value'], response.data['drift_status']['value'],
                          response.data['cluster_delete_failures']), ('synced', 'drifted', []))
        listing = self.client.get('/api/plugins/hedgehog/fabrics/?drift_status=not_tracked', **self.header)
        self.assertEqual([row['name'] for row in listing.data['results']], ['mirror'])
        listing = self.client.get('/api/plugins/hedgehog/fabrics/?sync_status=synced&drift_status=drifted',
                                  **self.header)
        self.assertEqual([row['name'] for row in listing.data['results']], ['lab'])

    def test_graphql_has_both_axes(self):
        query = '{ hedgehog_fabric_list { name sync_status drift_status } }'
        response = self.client.post(reverse('graphql'), data={'query': query}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        body = json.loads(response.content)
        self.assertNotIn('errors', body, body)
        fabrics = {row['name']: row for row in body['data']['hedgehog_fabric_list']}
        self.assertEqual((fabrics['lab']['sync_status'], fabrics['lab']['drift_status']), ('synced', 'drifted'))
        self.assertEqual((fabrics['mirror']['sync_status'], fabrics['mirror']['drift_status']),
                         ('never_synced', 'not_tracked'))
        for drift, names in (('DRIFT_DRIFTED', ['lab']), ('DRIFT_NOT_TRACKED', ['mirror']), ('DRIFT_IN_SYNC', [])):
            with self.subTest(drift=drift):
                query = (f'{{ hedgehog_fabric_list(filters: {{drift_status: [{drift}], sync_status: {{in_list: '
                         f'[STATUS_SYNCED, STATUS_NEVER_SYNCED]}}}}) {{ name }} }}')
                response = self.client.post(reverse('graphql'), data={'query': query}, format='json', **self.header)
                body = json.loads(response.content)
                self.assertNotIn('errors', body, body)
                self.assertEqual([row['name'] for row in body['data']['hedgehog_fabric_list']], names)


class SyncStatusMigrationTest(TransactionTestCase):
    """A fabric stored as "in sync" before the two axes is "synced" after the migration, and back on reversal."""
    before = [('netbox_hedgehog', '0006_write_modes')]

    def setUp(self):
        super().setUp()
        self.after = [MigrationExecutor(connection).loader.graph.leaf_nodes('netbox_hedgehog')[0]]
        self.addCleanup(self.migrate, self.after)

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def test_in_sync_becomes_synced(self):
        old = self.migrate(self.before).get_model('netbox_hedgehog', 'Fabric')
        now = timezone.now()
        for name, state in (('a', 'in_sync'), ('b', 'out_of_sync'), ('c', 'failed')):
            old.objects.create(name=name, sync_status=state, last_sync=now, kubernetes_namespace='default')
        new = self.migrate(self.after).get_model('netbox_hedgehog', 'Fabric')
        self.assertEqual(dict(new.objects.values_list('name', 'sync_status')),
                         {'a': 'synced', 'b': 'out_of_sync', 'c': 'failed'})
        self.assertEqual(list(new.objects.values_list('cluster_delete_failures', flat=True)), [[], [], []])
        old = self.migrate(self.before).get_model('netbox_hedgehog', 'Fabric')
        self.assertEqual(old.objects.get(name='a').sync_status, 'in_sync')


class DryRunLabelTest(ClusterTestCase):
    def test_a_dry_run_is_labelled_wherever_its_trigger_shows(self):
        from users.models import User
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric(name='lab')
        real = self.sync(fabric)
        dry = self.sync(fabric, dry_run=True)
        self.assertEqual((dry.get_trigger_display(), real.get_trigger_display()),
                         ('Dry run: Command line', 'Command line'))
        # The run's own page.
        self.assertEqual(rows_with(self.client.get(dry.get_absolute_url()).content.decode(), 'Command line'),
                         ['Trigger Dry run: Command line'])
        self.assertEqual(rows_with(self.client.get(real.get_absolute_url()).content.decode(), 'Command line'),
                         ['Trigger Command line'])
        # The run list and the fabric page's latest runs.
        runs = reverse('plugins:netbox_hedgehog:syncrun_list') + f'?fabric_id={fabric.pk}'
        for url in (fabric.get_absolute_url(), runs):
            with self.subTest(url=url):
                rows = ROW.findall(self.client.get(url).content.decode())
                for run, trigger in ((dry, 'Dry run: Command line'), (real, 'Command line')):
                    row = [text(row) for row in rows if f'href="{run.get_absolute_url()}"' in row]
                    self.assertEqual(len(row), 1, url)
                    self.assertIn(trigger, row[0])
                    self.assertEqual('Dry run' in row[0], run.dry_run)
        # The job that runs it says so too.
        connection = django_rq.get_connection('high')
        connection.flushdb()
        self.addCleanup(connection.flushdb)
        queued = scheduling.enqueue_sync(fabric, 'manual', dry_run=True)
        self.assertEqual(Job.fetch(queued.job_id, connection=connection).description,
                         f'Hedgehog: dry run of fabric lab (run {queued.run.pk})')
        self.assertEqual(queued.run.get_trigger_display(), 'Dry run: Sync now (UI)')


class PruneBlockedHintTest(ClusterTestCase):
    def test_fabric_and_run_pages_say_how_to_allow_pruning(self):
        from users.models import User
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric(name='lab')
        self.sync(fabric)
        for name in ('vpc-1', 'vpc-2'):
            self.kube.delete('VPC', name)
        run = self.sync(fabric)
        hint = 'edit the fabric, turn on &quot;allow empty kinds&quot; and sync again'
        for url in (fabric.get_absolute_url(), run.get_absolute_url()):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, 'the cluster returned no VPC objects while NetBox holds some')
                self.assertContains(page, hint)
        self.assertContains(self.client.get(fabric.get_absolute_url()), 'Out of sync')


class HealthOnTheFabricPageTest(TestCase):
    """With the real Redis: the fabric page shows the workers', the sidecar's and the queue's health in every state."""
    user_permissions = ['netbox_hedgehog.view_fabric']

    def setUp(self):
        super().setUp()
        self.redis = django_rq.get_connection('default')
        self.redis.flushdb()
        self.addCleanup(self.redis.flushdb)
        self.fabric = create_fabric('lab')

    def page(self):
        response = self.client.get(self.fabric.get_absolute_url())
        self.assertHttpStatus(response, 200)
        # The two axes are shown whatever the queue's state.
        self.assertEqual(rows_with(response.content.decode(), 'Never synced')[:1], ['Sync Never synced'])
        return response

    def test_every_state(self):
        # Nothing running: each missing part is named, and no green line.
        page = self.page()
        self.assertContains(page, 'No worker is listening on the &quot;high&quot; queue')
        self.assertContains(page, 'The scheduler sidecar (`netbox hedgehog_scheduler`) is not running')
        self.assertNotContains(page, HEALTHY)

        # Workers on every queue and the sidecar: the green line.
        worker = Worker([Queue(name, connection=self.redis) for name in ('high', 'default', 'low')],
                        connection=self.redis)
        worker.register_birth()
        with keep_signal_handlers():
            call_command('hedgehog_scheduler', '--burst', stdout=StringIO())
        scheduling.record_tick()
        page = self.page()
        self.assertContains(page, HEALTHY)
        self.assertNotContains(page, 'alert-danger')

        # The worker gone: said again, no green line.
        worker.register_death()
        page = self.page()
        self.assertContains(page, 'No worker is listening')
        self.assertNotContains(page, HEALTHY)

        # No Redis at all.
        closed = redis.Redis(host='127.0.0.1', port=1, socket_connect_timeout=1)
        with mock.patch.object(scheduling.queues, 'redis_connection', return_value=closed):
            page = self.page()
        self.assertContains(page, 'NetBox cannot reach its task queue')
        self.assertNotContains(page, HEALTHY)


class ReadOnlyRowsTest(TestCase):
    """A list of a read-only fabric's objects offers no edit or delete on its rows, nor bulk edit, delete or import;
    a cluster fabric's list does."""
    user_permissions = [
        'netbox_hedgehog.view_fabric',
        *[f'netbox_hedgehog.{action}_switchgroup' for action in ('view', 'add', 'change', 'delete')],
    ]

    @classmethod
    def setUpTestData(cls):
        cls.mirror = create_fabric('mirror', write_mode='read-only')
        cls.cluster = create_fabric('lab', write_mode='cluster')
        cls.mirrored = create_objects(SwitchGroup, cls.mirror, [('eslag-1', {}), ('eslag-2', {})])
        cls.applied = create_objects(SwitchGroup, cls.cluster, [('eslag-1', {})])

    def links(self, fabric, objects):
        """The row links of `objects` on the fabric's list, and the list's buttons."""
        response = self.client.get(reverse('plugins:netbox_hedgehog:switchgroup_list'), {'fabric_id': fabric.pk})
        html = response.content.decode()
        found = {(obj.pk, action) for obj in objects for action in ('edit', 'delete', 'changelog')
                 if reverse(f'plugins:netbox_hedgehog:switchgroup_{action}', args=[obj.pk]) + '?' in html}
        return found, buttons(response)

    def test_row_and_bulk_buttons(self):
        found, listed = self.links(self.mirror, self.mirrored)
        self.assertEqual(found, {(obj.pk, 'changelog') for obj in self.mirrored})
        self.assertEqual(listed, set())
        found, listed = self.links(self.cluster, self.applied)
        self.assertEqual(found, {(obj.pk, action) for obj in self.applied
                                 for action in ('edit', 'delete', 'changelog')})
        self.assertEqual(listed, {'Add', 'Import', 'Edit Selected', 'Delete Selected'})


class ClusterDeleteFailureTest(ClusterTestCase):
    """A deletion the cluster refused is kept on the fabric with the API server's message (the latest ones, newest
    first) and forgotten once the object is deleted after all. (End to end with a real worker:
    test_e2e_cluster_write.py.)"""

    def delete(self, fabric, name, metadata):
        apply_deletion(fabric, KIND_BY_NAME['VPC'], name, metadata['uid'], metadata['resourceVersion'])

    def test_refusal_is_kept_and_cleared(self):
        self.kube.load_yaml(VPCS)
        fabric = self.make_fabric(name='lab', write_mode='cluster')
        self.sync(fabric)
        vpc = self.kube.get('VPC', 'vpc-1')['metadata']
        self.kube.inject(method='DELETE', path_regex='/vpcs/vpc-1', status=422, message='denied: in use', count=None)
        for _ in range(2):
            with self.assertRaises(ClusterError):
                self.delete(fabric, 'vpc-1', vpc)
        for i in range(CLUSTER_DELETE_FAILURES_KEPT):
            with self.assertRaises(ClusterError):
                self.delete(fabric, f'gone-{i}', vpc)
        fabric.refresh_from_db()
        failures = fabric.cluster_delete_failures
        self.assertEqual(len(failures), CLUSTER_DELETE_FAILURES_KEPT)
        self.assertEqual([f['name'] for f in failures[:2]], [f'gone-{CLUSTER_DELETE_FAILURES_KEPT - 1}',
                                                             f'gone-{CLUSTER_DELETE_FAILURES_KEPT - 2}'])
        self.assertNotIn('vpc-1', [f['name'] for f in failures])

        Fabric.objects.filter(pk=fabric.pk).update(cluster_delete_failures=[])
        with self.assertRaises(ClusterError):
            self.delete(fabric, 'vpc-1', vpc)
        fabric.refresh_from_db()
        self.assertEqual([(f['kind'], f['name']) for f in fabric.cluster_delete_failures], [('VPC', 'vpc-1')])
        self.assertIn('denied: in use', fabric.cluster_delete_failures[0]['message'])
        self.assertIn('The cluster was not changed.', fabric.cluster_delete_failures[0]['message'])
        self.assertIsNotNone(self.kube.get('VPC', 'vpc-1'))
        # NetBox had deleted it: the next sync brings it back, carrying the API server's message.
        VPC.objects.filter(fabric=fabric, name='vpc-1').delete()
        self.assertEqual(self.sync(fabric).status, 'succeeded')
        restored = VPC.objects.get(fabric=fabric, name='vpc-1')
        self.assertIn('refused to delete VPC vpc-1 (422): denied: in use', restored.apply_error)
        self.assertEqual(VPC.objects.get(fabric=fabric, name='vpc-2').apply_error, '')

        self.kube.clear_faults()
        self.delete(fabric, 'vpc-1', vpc)
        fabric.refresh_from_db()
        self.assertEqual(fabric.cluster_delete_failures, [])
        self.assertIsNone(self.kube.get('VPC', 'vpc-1'))
