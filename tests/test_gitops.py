"""GitOps with real git: bare repositories served over file:// and over smart HTTP with a token, the Kubernetes API
test server over HTTPS, and the Git write jobs run by an RQ worker in this process (against fakeredis)."""
import os
import stat
import tempfile
from pathlib import Path
from unittest import mock

import yaml
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from rq import Queue
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from netbox_hedgehog.gitops import repository as repository_module
from netbox_hedgehog.gitops.credentials import git_environment, scrub
from netbox_hedgehog.gitops.documents import find_document, remove_document, replace_document, split_documents
from netbox_hedgehog.kinds import KIND_BY_NAME, to_manifest
from netbox_hedgehog.loader import parse_documents
from netbox_hedgehog.models import VPC, ExternalPeering, Fabric, SyncChange, VPCAttachment, VPCPeering
from netbox_hedgehog.sync import engine
from netbox_hedgehog.sync.drift import compare
from tests.cluster import FABRIC_COUNTS, FILES, GATEWAY, PEERINGS, VPCS, WIRING, ClusterTestCase
from tests.gitserver import BareRepo, GitHTTPServer, git
from tests.harness import SAMPLES
from tests.loading import load_yaml
from tests.test_scheduling import FakeRedisMixin
from tests.test_sync import plugin_settings

VPCS_TEXT = VPCS.read_text()
PEERINGS_TEXT = PEERINGS.read_text()
# The demo fabric's VPC files in a GitOps repository as its users keep one: a directory per environment.
REPO_FILES = {'env-1/vpcs.yaml': VPCS_TEXT, 'env-1/peerings.yaml': PEERINGS_TEXT, 'README.md': '# fabric\n'}
SAMPLE_COUNTS = {'VPC': 3, 'VPCAttachment': 6, 'VPCPeering': 1, 'ExternalPeering': 1}
# The cluster's objects the repository does not hold (the demo's wiring and gateway).
CLUSTER_ONLY = sum(FABRIC_COUNTS[WIRING].values()) + sum(FABRIC_COUNTS[GATEWAY].values())
TOKEN = 'glpat-GITOPS-TOKEN-0123456789'


def kind_counts(fabric):
    return {model.__name__: model.objects.filter(fabric=fabric).count()
            for model in (VPC, VPCAttachment, VPCPeering, ExternalPeering)}


def documents_except(text, kind, name):
    """The exact text of every document of a file but the one of (kind, name)."""
    documents = split_documents(text)
    index = find_document(documents, kind, name=name)
    return [d.text for i, d in enumerate(documents) if i != index]


class GitOpsTestCase(FakeRedisMixin, ClusterTestCase):
    """The cluster holds the demo fabric; a bare repository holds its VPC files under env-1/."""

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix='hedgehog-gitops-test-')
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        self.cache = self.tmp / 'cache'
        settings = plugin_settings(git_cache_dir=str(self.cache))
        settings.enable()
        self.addCleanup(settings.disable)
        self.repo = BareRepo(self.tmp / 'fabric.git', REPO_FILES)
        # The wiring and gateway the VPC files name: the admission rules judge Git's documents with them.
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(GATEWAY)
        self.kube.load_yaml(VPCS)
        self.kube.load_yaml(PEERINGS)

    def git_fabric(self, **fields):
        fields.setdefault('git_url', self.repo.url)
        fields.setdefault('git_path', 'env-1')
        return self.make_fabric(git_author_name='Fabric Bot', git_author_email='fabric-bot@example.com', **fields)

    def synced(self, fabric):
        run = self.sync(fabric)
        self.assertIn(run.status, ('succeeded', 'partial'), run.error)
        fabric.refresh_from_db()
        return run

    def vpc(self, fabric, name):
        return VPC.objects.get(fabric=fabric, name=name)

    def failed_jobs(self):
        queue = Queue('default', connection=self.redis)
        return [queue.fetch_job(job_id).latest_result().exc_string
                for job_id in queue.failed_job_registry.get_job_ids()]

    def login(self):
        self.user = User.objects.create_user(username='alice', is_superuser=True)
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)

    def api_patch(self, obj, data):
        url = f'/api/plugins/hedgehog/{obj.kind_spec().slug}/{obj.pk}/'
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api.patch(url, data, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()


class DesiredStateTest(GitOpsTestCase):
    def test_desired_state_loads_from_the_files_and_matches_the_cluster(self):
        fabric = self.git_fabric()
        run = self.synced(fabric)
        self.assertEqual(run.status, 'succeeded')
        self.assertEqual(kind_counts(fabric), SAMPLE_COUNTS)
        self.assertEqual((run.git_commit, fabric.git_commit), (self.repo.head(), self.repo.head()))
        self.assertEqual((fabric.drift_count, fabric.drift_status), (0, 'in_sync'))
        vpc = self.vpc(fabric, 'vpc-3')
        self.assertEqual((vpc.drift_status, vpc.drift_diff, vpc.git_file), ('in_sync', [], 'env-1/peerings.yaml'))
        self.assertEqual(vpc.vlans, [1003, 1004])
        self.assertEqual(vpc.observed['spec']['subnets']['back']['vlan'], 1003)
        self.assertEqual(self.vpc(fabric, 'vpc-1').git_file, 'env-1/vpcs.yaml')
        self.assertIn(f'at commit {self.repo.head()[:12]}', run.log)

    def test_what_the_cluster_adds_by_itself_is_not_drift(self):
        vpc = self.kube.get('VPC', 'vpc-1')
        vpc['metadata']['labels'] = {'fabric.githedgehog.com/ipv4ns': 'default', 'fabric.githedgehog.com/vlanns':
                                     'default'}
        vpc['metadata']['annotations'] = {'kubectl.kubernetes.io/last-applied-configuration': '{}'}
        vpc['spec'].update({'ipv4Namespace': 'default', 'vlanNamespace': 'default', 'mode': ''})
        subnet = vpc['spec']['subnets']['default']
        subnet['gateway'] = '10.20.1.1'
        subnet['dhcp']['options'] = {'interfaceMTU': 9036, 'leaseTimeSeconds': 3600}
        vpc['status'] = {'vni': 100}
        self.kube.put(vpc)
        fabric = self.git_fabric()
        self.synced(fabric)
        stored = self.vpc(fabric, 'vpc-1')
        self.assertEqual(stored.drift_status, 'in_sync', stored.drift_diff)
        self.assertEqual(stored.observed['labels']['fabric.githedgehog.com/vlanns'], 'default')
        self.assertNotIn('ipv4Namespace', stored.spec, 'spec is the desired state from Git')

    def test_drift_appears_when_the_cluster_differs_and_disappears_when_it_matches(self):
        vpc = self.kube.get('VPC', 'vpc-1')
        vpc['spec']['subnets']['default']['vlan'] = 1199
        self.kube.put(vpc)
        self.kube.delete('VPC', 'vpc-2')
        extra = {'apiVersion': 'vpc.githedgehog.com/v1beta1', 'kind': 'VPC',
                 'metadata': {'name': 'extra-vpc', 'namespace': 'default'},
                 'spec': {'subnets': {'default': {'subnet': '10.10.199.0/24', 'vlan': 1999}}}}
        self.kube.put(extra)
        fabric = self.git_fabric()
        self.synced(fabric)

        differs = self.vpc(fabric, 'vpc-1')
        self.assertEqual(differs.drift_status, 'differs')
        self.assertEqual(differs.drift_diff, [{'path': 'spec.subnets.default.vlan', 'git': 1001, 'cluster': 1199}])
        self.assertEqual(differs.vlans, [1001], 'typed columns follow the desired state')
        missing = self.vpc(fabric, 'vpc-2')
        self.assertEqual((missing.drift_status, missing.observed, missing.uid), ('missing_from_cluster', None, ''))
        extra_row = self.vpc(fabric, 'extra-vpc')
        self.assertEqual((extra_row.drift_status, extra_row.git_file, extra_row.vlans), ('not_in_git', '', [1999]))
        self.assertEqual((fabric.drift_count, fabric.drift_status), (3, 'drifted'))

        vpc['spec']['subnets']['default']['vlan'] = 1001
        self.kube.put(vpc)
        self.kube.load_yaml(VPCS)
        self.kube.delete('VPC', 'extra-vpc')
        run = self.synced(fabric)
        self.assertEqual(run.status, 'succeeded')
        self.assertEqual((fabric.drift_count, fabric.drift_status), (0, 'in_sync'))
        self.assertEqual({v.name: v.drift_status for v in VPC.objects.filter(fabric=fabric)},
                         {'vpc-1': 'in_sync', 'vpc-2': 'in_sync', 'vpc-3': 'in_sync'})
        self.assertEqual(run.total('delete'), 1)

    def test_query_count_does_not_grow_with_objects(self):
        def vpcs(count, vlan_base):
            return '---\n'.join(
                f'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: vpc-{i}\nspec:\n'
                f'  subnets:\n    default:\n      subnet: 10.{i // 250}.{i % 250}.0/24\n      vlan: {vlan_base + i}\n'
                for i in range(count)
            )

        namespaces = ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: VLANNamespace\nmetadata:\n  name: default\n'
                      'spec:\n  ranges:\n  - {from: 1000, to: 2999}\n---\n'
                      'apiVersion: vpc.githedgehog.com/v1beta1\nkind: IPv4Namespace\nmetadata:\n  name: default\n'
                      'spec:\n  subnets: [10.0.0.0/8]\n')

        def measure(count):
            self.kube.clear()
            self.kube.load_yaml(namespaces)
            self.kube.load_yaml(vpcs(count, 1000))
            repo = BareRepo(self.tmp / f'vpcs-{count}.git', {'env-1/vpcs.yaml': vpcs(count, 1000)})
            fabric = self.git_fabric(name=f'vpcs-{count}', git_url=repo.url)
            queries = []
            for change in (None, {'env-1/vpcs.yaml': vpcs(count, 2000)}, None):
                if change:
                    repo.commit(change, 'Renumber')
                with CaptureQueriesContext(connection) as captured:
                    run = self.synced(fabric)
                queries.append(len(captured))
            self.assertEqual(run.total('unchanged'), count + 2)
            self.assertEqual(fabric.drift_count, count)
            return queries

        small, big = measure(5), measure(150)
        for phase, (a, b) in enumerate(zip(small, big, strict=True)):
            self.assertLessEqual(abs(a - b), 2, f'phase {phase}: {small} vs {big}')

    def test_an_unchanged_commit_is_not_parsed_again(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        with mock.patch('netbox_hedgehog.gitops.reader.read_commit', side_effect=AssertionError('parsed')):
            run = self.synced(fabric)
        self.assertEqual(run.status, 'succeeded')
        self.assertEqual((run.total('create'), run.total('update'), run.total('delete')), (0, 0, 0))
        self.assertEqual(run.total('unchanged'), 11 + CLUSTER_ONLY)
        self.assertIn('is unchanged since the last sync', run.log)
        self.assertEqual(run.git_commit, self.repo.head())

    def test_a_new_commit_changes_the_desired_state(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1001', 'vlan: 1151')}, 'Move VPC 1')
        run = self.synced(fabric)
        self.assertEqual(run.total('update'), 1)
        vpc = self.vpc(fabric, 'vpc-1')
        self.assertEqual((vpc.vlans, vpc.drift_status), ([1151], 'differs'))
        change = SyncChange.objects.get(run=run, action='update')
        self.assertIn({'path': 'spec.subnets.default.vlan', 'old': 1001, 'new': 1151}, change.diff)
        self.assertEqual(fabric.git_commit, self.repo.head())

    def test_objects_removed_from_git_are_kept_while_in_the_cluster(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        self.repo.commit({'env-1/peerings.yaml': None}, 'Drop the demo')
        self.synced(fabric)
        vpc = self.vpc(fabric, 'vpc-3')
        self.assertEqual((vpc.drift_status, vpc.git_file), ('not_in_git', ''))
        self.kube.delete('VPC', 'vpc-3')
        self.synced(fabric)
        self.assertFalse(VPC.objects.filter(fabric=fabric, name='vpc-3').exists())

    def test_a_fabric_without_git_settings_is_not_tracked(self):
        fabric = self.git_fabric()
        self.kube.delete('VPC', 'vpc-2')
        self.synced(fabric)
        Fabric.objects.filter(pk=fabric.pk).update(git_url='')
        fabric.refresh_from_db()
        run = self.synced(fabric)
        self.assertEqual(run.git_commit, '')
        self.assertEqual((fabric.drift_status, fabric.git_commit, fabric.drift_count), ('not_tracked', '', 0))
        self.assertFalse(VPC.objects.filter(fabric=fabric, name='vpc-2').exists())
        self.assertEqual(set(VPC.objects.filter(fabric=fabric).values_list('drift_status', 'git_file', 'observed')),
                         {('', '', None)})


class DriftDisplayTest(GitOpsTestCase):
    """A fabric page shows desired, observed and drift for the samples; REST exposes and filters the drift."""

    def setUp(self):
        super().setUp()
        vpc = self.kube.get('VPC', 'vpc-1')
        vpc['spec']['subnets']['default']['vlan'] = 1199
        self.kube.put(vpc)
        self.kube.delete('VPC', 'vpc-2')
        self.fabric = self.git_fabric()
        self.synced(self.fabric)
        self.login()

    def test_fabric_and_object_pages_show_the_drift(self):
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn('Drifted objects', html)
        self.assertIn('spec.subnets.default.vlan', html)
        self.assertIn('Missing from cluster', html)
        self.assertIn(self.repo.head(), html)
        self.assertNotIn('vpc-3<', html, 'objects in sync are not listed')

        page = self.client.get(self.vpc(self.fabric, 'vpc-1').get_absolute_url())
        html = page.content.decode()
        self.assertIn('Differs', html)
        self.assertIn('env-1/vpcs.yaml', html)
        self.assertIn('1199', html)
        self.assertIn('Observed in the cluster', html)

        listing = self.client.get(reverse('plugins:netbox_hedgehog:vpc_list') + '?drift_status=differs')
        self.assertContains(listing, 'vpc-1')
        self.assertNotContains(listing, 'vpc-3')

    def test_rest_exposes_drift_and_filters_by_it(self):
        fabric = self.api.get(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/').json()
        self.assertEqual((fabric['drift_count'], fabric['drift_status']['value']), (2, 'drifted'))
        self.assertEqual(fabric['git_commit'], self.repo.head())
        missing = self.api.get('/api/plugins/hedgehog/vpcs/?drift_status=missing_from_cluster').json()
        self.assertEqual([v['name'] for v in missing['results']], ['vpc-2'])
        vpc = self.api.get('/api/plugins/hedgehog/vpcs/?drift_status=differs').json()['results'][0]
        self.assertEqual(vpc['drift_diff'], [{'path': 'spec.subnets.default.vlan', 'git': 1001, 'cluster': 1199}])
        self.assertEqual(vpc['spec']['subnets']['default']['vlan'], 1001, 'spec is the desired state')
        self.assertEqual(vpc['observed']['spec']['subnets']['default']['vlan'], 1199)
        self.assertEqual(vpc['git_file'], 'env-1/vpcs.yaml')


class MalformedRepositoryTest(GitOpsTestCase):
    BROKEN = {
        'env-1/broken.yaml': ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n\tname: tabbed\n'
                              'spec: {}\n'),
        'env-1/nested/unknown.yml': ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPCFlowLog\nmetadata:\n'
                                     '  name: flow-1\nspec: {}\n'),
        'env-1/legacy.yaml': ('---\napiVersion: vpc.githedgehog.com/v1alpha2\nkind: VPC\nmetadata:\n  name: old-vpc\n'
                              'spec: {}\n'),
        'env-1/zz-dupe.yaml': ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: vpc-1\n'
                            'spec:\n  subnets:\n    default: {subnet: 10.20.201.0/24, vlan: 1201}\n'),
    }

    def test_each_file_error_names_its_file_and_line_and_nothing_is_pruned(self):
        extra = {'apiVersion': 'vpc.githedgehog.com/v1beta1', 'kind': 'VPCPeering',
                 'metadata': {'name': 'cluster-only', 'namespace': 'default'}, 'spec': {'permit': []}}
        self.kube.put(extra)
        fabric = self.git_fabric()
        self.synced(fabric)
        self.assertEqual(VPCPeering.objects.get(fabric=fabric, name='cluster-only').drift_status, 'not_in_git')

        # vpcs.yaml breaks after its first VPC: the objects after the error keep their desired state.
        broken_vpcs = VPCS_TEXT.replace('  name: vpc-2\n', '  name: vpc-2\n  bad: [\n')
        self.repo.commit({**self.BROKEN, 'env-1/vpcs.yaml': broken_vpcs}, 'Break things')
        self.kube.delete('VPCPeering', 'cluster-only')
        self.kube.delete('VPC', 'vpc-3')
        run = self.synced(fabric)

        self.assertEqual(run.status, 'partial')
        errors = {c.git_file: c.message for c in SyncChange.objects.filter(run=run, action='error')}
        self.assertEqual(set(errors), {'env-1/broken.yaml', 'env-1/nested/unknown.yml', 'env-1/legacy.yaml',
                                       'env-1/zz-dupe.yaml', 'env-1/vpcs.yaml', 'env-1/peerings.yaml'})
        # vpc-2 is gone with the rest of vpcs.yaml: the peering that names it no longer resolves in the commit.
        self.assertIn("'vpc-1--vpc-2': refused by the VPCPeering admission rules: spec.permit = \"vpc-2\": vpc vpc-2 "
                      'not found', errors['env-1/peerings.yaml'])
        self.assertIn('env-1/broken.yaml, document 1 (line 4)', errors['env-1/broken.yaml'])
        self.assertIn('invalid YAML', errors['env-1/broken.yaml'])
        self.assertIn("unknown kind 'VPCFlowLog'", errors['env-1/nested/unknown.yml'])
        self.assertIn("unsupported apiVersion 'vpc.githedgehog.com/v1alpha2'", errors['env-1/legacy.yaml'])
        self.assertIn('(line 2)', errors['env-1/legacy.yaml'])
        self.assertEqual(errors['env-1/zz-dupe.yaml'], "env-1/zz-dupe.yaml, document 1 (line 1) 'vpc-1': "
                         "duplicate VPC 'vpc-1': already defined in env-1/vpcs.yaml at line 4")
        self.assertIn('invalid YAML', errors['env-1/vpcs.yaml'])
        self.assertIn('Git: env-1/broken.yaml', run.log)

        self.assertIn('the Git repository has 6 error(s)', run.prune_skipped_reason)
        self.assertIn('fix the files the sync run lists, with their lines, and sync again', run.prune_skipped_reason)
        self.assertFalse(run.pruned)
        self.assertTrue(VPCPeering.objects.filter(fabric=fabric, name='cluster-only').exists())
        self.assertEqual(self.vpc(fabric, 'vpc-3').drift_status, 'missing_from_cluster')
        kept = self.vpc(fabric, 'vpc-2')
        self.assertEqual((kept.git_file, kept.vlans, kept.drift_status), ('env-1/vpcs.yaml', [1002], 'in_sync'))
        self.assertEqual(self.vpc(fabric, 'vpc-1').vlans, [1001], 'the first definition wins')
        self.assertIn('6 error(s) in the Git repository', fabric.last_sync_error)

        # Errors are reported again by the next sync of the same commit.
        again = self.synced(fabric)
        self.assertEqual(SyncChange.objects.filter(run=again, action='error').exclude(git_file='').count(), 6)

    def test_an_empty_path_prunes_nothing(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        self.repo.commit({'env-1/vpcs.yaml': None, 'env-1/peerings.yaml': None, 'env-1/NOTES.md': 'moved\n'}, 'Move')
        self.kube.clear()
        run = self.synced(fabric)
        self.assertIn("Nothing is pruned: the cluster returned no VLANNamespace, SwitchGroup, Switch, Server, "
                      "IPv4Namespace, GatewayGroup, Gateway, Connection, VPC, VPCAttachment, VPCPeering, External, "
                      "ExternalAttachment, ExternalPeering objects", run.log)
        self.assertIn("the Git repository has no Hedgehog objects under 'env-1' while NetBox holds 11 object(s) read "
                      "from it (if the files moved, edit the fabric's Git path and sync again)", run.log)
        self.assertEqual(kind_counts(fabric), SAMPLE_COUNTS)
        self.assertEqual(set(VPC.objects.filter(fabric=fabric).values_list('drift_status', 'git_file')),
                         {('missing_from_cluster', 'env-1/vpcs.yaml'), ('missing_from_cluster', 'env-1/peerings.yaml')})

    def test_a_missing_branch_or_path_fails_the_sync_with_its_message(self):
        fabric = self.git_fabric(git_branch='release')
        run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn("fetching branch 'release'", run.error)
        self.assertIn('the branch does not exist in the repository', run.error)
        fabric = self.git_fabric(name='fab-2', git_path='env-9')
        run = self.sync(fabric)
        self.assertIn("the path 'env-9' does not exist in branch 'main'", run.error)
        self.assertEqual(kind_counts(fabric), dict.fromkeys(SAMPLE_COUNTS, 0))


class WriteTest(GitOpsTestCase):
    def setUp(self):
        super().setUp()
        self.login()
        self.fabric = self.git_fabric()
        self.synced(self.fabric)
        self.start = self.repo.head()

    def new_commits(self):
        """Subjects of the commits pushed since the test started, oldest first."""
        return git('log', '--reverse', '--format=%s', f'{self.start}..main', cwd=self.repo.path).splitlines()

    def edit_vlan(self, name, vlan):
        vpc = self.vpc(self.fabric, name)
        spec = {**vpc.spec, 'subnets': {'default': {**vpc.spec['subnets']['default'], 'vlan': vlan}}}
        self.api_patch(vpc, {'spec': spec})
        return spec

    def test_rest_patch_of_spec_makes_one_commit_in_the_right_file(self):
        vpc = self.vpc(self.fabric, 'vpc-1')
        spec = {**vpc.spec, 'subnets': {'default': {**vpc.spec['subnets']['default'], 'vlan': 1111}}}
        body = self.api_patch(vpc, {'spec': spec})
        self.assertEqual(body['vlans'], [1111])
        self.assertEqual(len(self.queued_ids('default')), 1)
        self.assertEqual(self.repo.head(), self.start, 'nothing is pushed in the web request')

        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.new_commits(), ['netbox-hedgehog: update VPC vpc-1 (by alice)'])
        self.assertEqual(self.repo.changed_files(), ['env-1/vpcs.yaml'])
        self.assertEqual(self.repo.author(), 'Fabric Bot <fabric-bot@example.com>')
        text = self.repo.show('env-1/vpcs.yaml')
        self.assertEqual(documents_except(text, 'VPC', 'vpc-1'), documents_except(VPCS_TEXT, 'VPC', 'vpc-1'))
        objects, errors = parse_documents(text, 'env-1/vpcs.yaml')
        self.assertEqual(errors, [])
        self.assertEqual([o.name for o in objects], [
            'vpc-1', 'vpc-2', 'vpc-1--server-01--eslag--leaf-01--leaf-02', 'vpc-1--server-03--bundled--leaf-01',
            'vpc-2--server-02--eslag--leaf-01--leaf-02', 'vpc-2--server-04--unbundled--leaf-02',
        ])
        self.assertEqual(objects[0].spec, spec)
        diff = git('diff', f'{self.start}..main', cwd=self.repo.path)
        self.assertIn('-      vlan: 1001\n', diff)
        self.assertIn('+      vlan: 1111\n', diff)

        vpc.refresh_from_db()
        self.assertEqual((vpc.git_pending_since, vpc.drift_status), (None, 'differs'))
        self.assertEqual(vpc.drift_diff, [{'path': 'spec.subnets.default.vlan', 'git': 1111, 'cluster': 1001}])
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).drift_count, 1)
        # The next sync reads NetBox's own commit and changes nothing.
        run = self.synced(self.fabric)
        self.assertEqual(run.total('update'), 0)
        self.assertEqual(self.fabric.git_commit, self.repo.head())

    def test_ui_edit_makes_one_commit(self):
        vpc = self.vpc(self.fabric, 'vpc-2')
        spec = yaml.safe_dump({**vpc.spec, 'defaultIsolated': True})
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_edit', args=[vpc.pk]), {
                'fabric': self.fabric.pk, 'name': vpc.name, 'spec': spec, 'labels': '{}', 'annotations': '{}',
            })
        self.assertEqual(response.status_code, 302, response.content[-2000:])
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.new_commits(), ['netbox-hedgehog: update VPC vpc-2 (by alice)'])
        text = self.repo.show('env-1/vpcs.yaml')
        self.assertEqual(documents_except(text, 'VPC', 'vpc-2'), documents_except(VPCS_TEXT, 'VPC', 'vpc-2'))
        self.assertIs(yaml.safe_load(split_documents(text)[1].content)['spec']['defaultIsolated'], True)

    def test_create_and_delete_make_commits(self):
        with self.captureOnCommitCallbacks(execute=True):
            created = self.api.post('/api/plugins/hedgehog/vpcs/', {
                'fabric': self.fabric.pk, 'name': 'vpc-4', 'labels': {'team': 'red'},
                'spec': {'subnets': {'default': {'subnet': '10.20.104.0/24', 'vlan': 1104}}},
            }, format='json')
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(self.vpc(self.fabric, 'vpc-4').drift_status, 'missing_from_cluster')
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).drift_count, 1)
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.repo.changed_files(), ['env-1/vpc-vpc-4.yaml'])
        (parsed,), errors = parse_documents(self.repo.show('env-1/vpc-vpc-4.yaml'), 'new')
        self.assertEqual((parsed.kind, parsed.name, parsed.labels, parsed.typed['vlans']),
                         ('VPC', 'vpc-4', {'team': 'red'}, [1104]))
        self.assertEqual(self.vpc(self.fabric, 'vpc-4').git_file, 'env-1/vpc-vpc-4.yaml')

        for name in ('vpc-4', 'vpc-3--server-06--bundled--leaf-03'):
            obj = VPC.objects.filter(name=name).first() or VPCAttachment.objects.get(name=name)
            url = f'/api/plugins/hedgehog/{obj.kind_spec().slug}/{obj.pk}/'
            with self.captureOnCommitCallbacks(execute=True):
                self.assertEqual(self.api.delete(url).status_code, 204)
            self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.new_commits(), [
            'netbox-hedgehog: create VPC vpc-4 (by alice)',
            'netbox-hedgehog: delete VPC vpc-4 (by alice)',
            'netbox-hedgehog: delete VPCAttachment vpc-3--server-06--bundled--leaf-03 (by alice)',
        ])
        self.assertIsNone(self.repo.show('env-1/vpc-vpc-4.yaml'), 'a file left empty is deleted')
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).drift_count, 0)
        text = self.repo.show('env-1/peerings.yaml')
        name = 'vpc-3--server-06--bundled--leaf-03'
        removed = split_documents(PEERINGS_TEXT)[2]
        self.assertEqual(text, PEERINGS_TEXT.replace(removed.text, removed.trailing),
                         'only the document itself is removed')
        self.assertIn('# Peering: vpc-1 <> vpc-2', text)
        self.assertEqual([o.name for o in parse_documents(text, 'demo')[0]],
                         ['vpc-3', 'vpc-3--server-05--unbundled--leaf-03', 'vpc-1--vpc-2', 'vpc-1--internet'])

    def test_a_push_rejected_because_the_remote_moved_is_retried_on_top(self):
        real_push = repository_module.FabricRepository.push
        calls = []

        def push_after_someone_else(repository, commit):
            calls.append(commit.hexsha)
            if len(calls) == 1:
                self.repo.commit({'env-1/peerings.yaml': PEERINGS_TEXT.replace('vlan: 1003', 'vlan: 1133')},
                                 'Someone else')
            return real_push(repository, commit)

        self.edit_vlan('vpc-1', 1112)
        with mock.patch.object(repository_module.FabricRepository, 'push', push_after_someone_else):
            self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(len(calls), 2)
        self.assertEqual(self.new_commits(), ['Someone else', 'netbox-hedgehog: update VPC vpc-1 (by alice)'])
        self.assertIn('vlan: 1133', self.repo.show('env-1/peerings.yaml'))
        self.assertIn('vlan: 1112', self.repo.show('env-1/vpcs.yaml'))

    def test_a_conflicting_push_fails_the_job_and_leaves_the_remote_untouched(self):
        real_push = repository_module.FabricRepository.push

        def push_after_a_conflicting_change(repository, commit):
            self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1001', 'vlan: 1177')}, 'Conflict')
            return real_push(repository, commit)

        self.edit_vlan('vpc-1', 1113)
        with mock.patch.object(repository_module.FabricRepository, 'push', push_after_a_conflicting_change):
            self.work('default')
        (failure,) = self.failed_jobs()
        self.assertIn('GitConflict: Conflict: VPC vpc-1 was changed in env-1/vpcs.yaml on branch', failure)
        self.assertIn('the remote was left untouched', failure)
        self.assertEqual(self.new_commits(), ['Conflict'])
        self.assertIn('vlan: 1177', self.repo.show('env-1/vpcs.yaml'))

        # NetBox no longer holds a commit's desired state: the next sync reads Git again, and Git wins.
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).git_commit, '')
        vpc = self.vpc(self.fabric, 'vpc-1')
        self.assertIsNone(vpc.git_pending_since)
        self.synced(self.fabric)
        self.assertEqual(self.vpc(self.fabric, 'vpc-1').vlans, [1177])

    def test_an_edit_of_a_document_changed_or_deleted_in_git_meanwhile_is_a_conflict(self):
        self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1002', 'vlan: 1188')}, 'Changed')
        self.repo.commit({'env-1/peerings.yaml': None}, 'Deleted')
        head = self.repo.head()
        self.edit_vlan('vpc-2', 1114)
        vpc = self.vpc(self.fabric, 'vpc-3')
        self.api_patch(vpc, {'labels': {'team': 'blue'}})
        self.work('default')
        failures = self.failed_jobs()
        self.assertEqual(len(failures), 2)
        self.assertTrue(any('VPC vpc-2 was changed in env-1/vpcs.yaml' in f for f in failures), failures)
        self.assertTrue(any('VPC vpc-3 was deleted in env-1/peerings.yaml' in f for f in failures), failures)
        self.assertEqual(self.repo.head(), head)

    def test_a_change_elsewhere_in_the_repository_is_no_conflict(self):
        self.repo.commit({'env-1/peerings.yaml': PEERINGS_TEXT.replace('vlan: 1004', 'vlan: 1134')}, 'Other file')
        self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1002', 'vlan: 1189')}, 'Other document')
        self.edit_vlan('vpc-1', 1115)
        # A sync while the edit waits for its job keeps the edit (and reads the other changes).
        run = self.synced(self.fabric)
        self.assertEqual(run.total('update'), 2)
        self.assertEqual(self.vpc(self.fabric, 'vpc-1').vlans, [1115])
        self.assertEqual(self.vpc(self.fabric, 'vpc-2').vlans, [1189])
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.new_commits()[-1], 'netbox-hedgehog: update VPC vpc-1 (by alice)')
        text = self.repo.show('env-1/vpcs.yaml')
        self.assertIn('vlan: 1115', text)
        self.assertIn('vlan: 1189', text)

    def test_an_edit_made_while_a_sync_runs_is_kept_and_its_conflict_found(self):
        self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1001', 'vlan: 1190')}, 'Remote edit')
        plan_fabric = engine.plan_fabric

        def plan_then_edit(*args):
            plans = plan_fabric(*args)
            self.edit_vlan('vpc-1', 1120)
            return plans

        with mock.patch('netbox_hedgehog.sync.engine.plan_fabric', plan_then_edit):
            run = self.synced(self.fabric)
        self.assertEqual(run.total('update'), 0)
        self.assertEqual(self.vpc(self.fabric, 'vpc-1').vlans, [1120])
        self.work('default')
        (failure,) = self.failed_jobs()
        self.assertIn('VPC vpc-1 was changed in env-1/vpcs.yaml', failure)
        self.synced(self.fabric)
        self.assertEqual(self.vpc(self.fabric, 'vpc-1').vlans, [1190])

    def test_two_edits_before_the_jobs_run_are_no_conflict(self):
        self.edit_vlan('vpc-1', 1116)
        self.edit_vlan('vpc-1', 1117)
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.new_commits(), ['netbox-hedgehog: update VPC vpc-1 (by alice)'])
        self.assertIn('vlan: 1117', self.repo.show('env-1/vpcs.yaml'))
        self.edit_vlan('vpc-1', 1118)
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(len(self.new_commits()), 2)

    def test_only_changes_made_by_people_go_to_git(self):
        """Neither the YAML loader, nor a sync, nor deleting the whole fabric writes to the repository."""
        with self.captureOnCommitCallbacks(execute=True):
            load_yaml(self.fabric, VPCS_TEXT.replace('vlan: 1001', 'vlan: 1119'))
            self.synced(self.fabric)
        self.assertEqual(self.queued_ids('default'), [])
        with self.captureOnCommitCallbacks(execute=True):
            self.api.delete(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/')
        self.assertFalse(Fabric.objects.filter(pk=self.fabric.pk).exists())
        self.assertEqual(self.queued_ids('default'), [])
        self.assertEqual(self.repo.head(), self.start)


class CredentialsTest(SimpleTestCase):
    def test_an_ssh_key_lives_in_a_private_file_for_one_operation(self):
        fabric = Fabric(git_ssh_key='-----BEGIN OPENSSH PRIVATE KEY-----\nKEYDATA\n', git_url='')
        with git_environment(fabric, '/nonexistent/known_hosts') as (env, secrets):
            command = env['GIT_SSH_COMMAND']
            key_file = command.split(' -i ')[1].split()[0]
            self.assertEqual(stat.S_IMODE(os.stat(key_file).st_mode), 0o600)
            self.assertIn('IdentitiesOnly=yes', command)
            self.assertIn('BatchMode=yes', command)
            self.assertNotIn('KEYDATA', command)
        self.assertFalse(os.path.exists(key_file))
        self.assertEqual(scrub('error: KEYDATA', secrets), 'error: ***')

    def test_a_token_is_in_the_environment_only(self):
        fabric = Fabric(git_token=TOKEN, git_url='https://git.example/fab.git')
        with git_environment(fabric, '/nonexistent/known_hosts') as (env, secrets):
            script = Path(env['GIT_ASKPASS']).read_text()
            self.assertNotIn(TOKEN, script)
            self.assertEqual(env['HEDGEHOG_GIT_TOKEN'], TOKEN)
            self.assertEqual(env['HEDGEHOG_GIT_USERNAME'], 'x-access-token')
        self.assertEqual(scrub(f'fatal: https://u:{TOKEN}@host/ and {TOKEN}', secrets),
                         'fatal: https://***@host/ and ***')


class HTTPTokenTest(GitOpsTestCase):
    """The same repository over smart HTTP, behind a token."""

    def setUp(self):
        super().setUp()
        self.server = GitHTTPServer(self.tmp, TOKEN).start()
        self.addCleanup(self.server.stop)
        self.login()

    def assert_token_nowhere(self, *texts):
        for text in texts:
            self.assertNotIn(TOKEN, text)
        config = (self.cache / str(self.fabric.pk) / 'config').read_text()
        self.assertNotIn(TOKEN, config)
        self.assertEqual(git('config', 'remote.origin.url', cwd=self.cache / str(self.fabric.pk)).strip(),
                         self.server.url(self.repo))
        self.assertEqual(list(self.cache.glob('**/*credentials*')), [])

    def test_sync_and_write_over_smart_http_with_a_token(self):
        self.fabric = self.git_fabric(git_url=self.server.url(self.repo), git_token=TOKEN)
        run = self.synced(self.fabric)
        self.assertEqual(run.status, 'succeeded')
        self.assertEqual(kind_counts(self.fabric), SAMPLE_COUNTS)
        authenticated = {user for _m, _p, _a, user in self.server.requests if user}
        self.assertEqual(authenticated, {'x-access-token'})
        self.assertTrue(all(TOKEN not in path for _m, path, _a, _u in self.server.requests))

        vpc = self.vpc(self.fabric, 'vpc-1')
        self.api_patch(vpc, {'labels': {'owner': 'net-team'}})
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(self.repo.subjects()[0], 'netbox-hedgehog: update VPC vpc-1 (by alice)')
        self.assertIn('owner: net-team', self.repo.show('env-1/vpcs.yaml'))
        self.assert_token_nowhere(run.log, run.error)

    def test_a_wrong_token_fails_without_showing_it(self):
        self.fabric = self.git_fabric(git_url=self.server.url(self.repo), git_token=TOKEN)
        self.synced(self.fabric)
        Fabric.objects.filter(pk=self.fabric.pk).update(git_token_encrypted='')
        wrong = 'glpat-WRONG-TOKEN-987654321'
        self.fabric.refresh_from_db()
        self.fabric.git_token = wrong
        self.fabric.save()
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn('the repository rejected the credentials', run.error)
        self.assertIn(f'{self.server.url(self.repo)} failed', run.error)
        self.assertNotIn(wrong, run.error + run.log)

        self.api_patch(self.vpc(self.fabric, 'vpc-1'), {'labels': {'owner': 'net-team'}})
        with self.assertLogs(level='DEBUG') as logs:
            self.work('default')
        (failure,) = self.failed_jobs()
        self.assertIn('the repository rejected the credentials', failure)
        self.assertNotIn(wrong, failure + '\n'.join(logs.output))
        self.assert_token_nowhere(failure, run.error, run.log, *logs.output)
        self.assertNotIn(wrong, (self.cache / str(self.fabric.pk) / 'config').read_text())


class DocumentsTest(SimpleTestCase):
    def test_splitting_keeps_every_byte(self):
        for path in (*FILES, *SAMPLES.glob('*.yaml')):
            text = path.read_text()
            self.assertEqual(''.join(d.text for d in split_documents(text)), text, path.name)

    def test_every_sample_object_round_trips_through_a_file(self):
        """Replace each document by its rendering: the file loads back into the same objects, others untouched."""
        for path in (*FILES, *SAMPLES.glob('*.yaml')):
            text = path.read_text()
            objects, _errors = parse_documents(text, path.name)
            for obj in objects:
                with self.subTest(file=path.name, name=obj.name):
                    documents = split_documents(text)
                    index = find_document(documents, obj.kind, name=obj.name)
                    manifest = to_manifest(KIND_BY_NAME[obj.kind], obj.name, obj.spec, obj.labels, obj.annotations,
                                           managed_labels=False)
                    written = replace_document(documents, index, manifest)
                    again, errors = parse_documents(written, path.name)
                    self.assertEqual([(e.index, e.message) for e in errors], [(e.index, e.message) for e in _errors])
                    self.assertEqual([(o.kind, o.name, o.spec, o.labels, o.annotations) for o in again],
                                     [(o.kind, o.name, o.spec, o.labels, o.annotations) for o in objects])
                    self.assertEqual(documents_except(written, obj.kind, obj.name),
                                     documents_except(text, obj.kind, obj.name))

    def test_removing_a_document_keeps_the_comments_of_the_next(self):
        documents = split_documents(PEERINGS_TEXT)
        index = find_document(documents, 'VPCAttachment', name='vpc-3--server-06--bundled--leaf-03')
        text = remove_document(documents, index)
        self.assertIn('#\n# Peering: vpc-1 <> vpc-2\n#\n---\n', text)
        self.assertEqual([o.name for o in parse_documents(text)[0]],
                         ['vpc-3', 'vpc-3--server-05--unbundled--leaf-03', 'vpc-1--vpc-2', 'vpc-1--internet'])


class DriftCompareTest(SimpleTestCase):
    DESIRED = {'spec': {'subnets': {'default': {'subnet': '10.0.0.0/24', 'vlan': 1000}}, 'ranges': [{'from': 1}]},
               'labels': {'team': 'red'}, 'annotations': {}}

    def test_only_what_the_desired_state_specifies_is_compared(self):
        observed = {
            'spec': {'subnets': {'default': {'subnet': '10.0.0.0/24', 'vlan': 1000, 'gateway': '10.0.0.1'}},
                     'ranges': [{'from': 1, 'to': 1}], 'ipv4Namespace': 'default'},
            'labels': {'team': 'red', 'fabric.githedgehog.com/vlanns': 'default', 'app.kubernetes.io/name': 'x'},
            'annotations': {'kubectl.kubernetes.io/last-applied-configuration': '{}'},
        }
        self.assertEqual(compare(self.DESIRED, observed), [])

    def test_differences_name_their_path(self):
        observed = {'spec': {'subnets': {'default': {'subnet': '10.0.0.0/24', 'vlan': '1000'}}, 'ranges': []},
                    'labels': {}, 'annotations': {}}
        self.assertEqual(compare(self.DESIRED, observed), [
            {'path': 'spec.subnets.default.vlan', 'git': 1000, 'cluster': '1000'},
            {'path': 'spec.ranges', 'git': [{'from': 1}], 'cluster': []},
            {'path': 'labels.team', 'git': 'red', 'cluster': None},
        ])
        self.assertEqual(compare({'spec': {'enable': True}}, {'spec': {'enable': 1}})[0]['path'], 'spec.enable')
        self.assertEqual(compare({'spec': {'mtu': 9036}}, {'spec': {'mtu': 9036.0}}), [])

    def test_lists_of_plain_values_are_compared_without_their_order(self):
        self.assertEqual(compare({'spec': {'groups': ['b', 'a']}}, {'spec': {'groups': ['a', 'b']}}), [])
        self.assertEqual(compare({'spec': {'groups': ['a']}}, {'spec': {'groups': ['a', 'border']}}),
                         [{'path': 'spec.groups', 'git': ['a'], 'cluster': ['a', 'border']}])
        self.assertEqual(compare({'spec': {'permit': [['s1', 's2']]}}, {'spec': {'permit': [['s2', 's1']]}}), [])
