"""Git writes people can review (#13): a fabric's review branch receives NetBox's commits while drift and desired
state keep coming from the tracked branch; the fabric page and REST say how many changes wait there and link to the
hosting service's comparison; one request (a single edit, a bulk edit, delete or import) is one job and one commit,
and one conflicting document fails that whole commit. Real git (bare repositories over file://); the write jobs run
in this process against fakeredis, except the end-to-end test, which runs a real `netbox rqworker`."""
import subprocess
import tempfile
from pathlib import Path

import django_rq
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase
from django.urls import reverse
from rq.registry import FailedJobRegistry
from users.models import User

from hedgehog_devtools.fabric import WIRING
from hedgehog_devtools.processes import ProcessError, Processes, environment
from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.git_refs import branch_problem, compare_url
from netbox_hedgehog.models import VPC, Fabric, VPCAttachment
from netbox_hedgehog.sync.engine import create_run, run_sync
from tests.cluster import KubeAPIServerMixin
from tests.gitserver import BareRepo, GitHTTPServer, git
from tests.test_gitops import TOKEN, VPCS_TEXT, GitOpsTestCase
from tests.test_sync import plugin_settings
from tests.test_views import csv_lines

REVIEW = 'netbox/review'
# Starting `netbox rqworker` takes a few seconds, more on a busy machine; a job is picked up within seconds.
BOOT = 120
JOB = 90


def branch_head(repo, branch):
    """The commit a branch of the bare repository points at, or None when it does not exist."""
    try:
        return git('rev-parse', '--verify', '--quiet', f'refs/heads/{branch}', cwd=repo.path).strip()
    except subprocess.CalledProcessError:
        return None


def review_subjects(repo, base='main'):
    """Subjects of the commits on the review branch that are not on `base`, oldest first."""
    return git('log', '--reverse', '--format=%s', f'{base}..{REVIEW}', cwd=repo.path).splitlines()


def is_ancestor(repo, older, newer):
    try:
        git('merge-base', '--is-ancestor', older, newer, cwd=repo.path)
    except subprocess.CalledProcessError:
        return False
    return True


class CompareLinkTest(SimpleTestCase):
    def test_links_for_github_gitlab_and_gitea_in_https_and_ssh_forms(self):
        cases = {
            'https://github.com/acme/fabric.git': 'https://github.com/acme/fabric/compare/main...netbox/review',
            'ssh://git@github.com:22/acme/fabric.git': 'https://github.com/acme/fabric/compare/main...netbox/review',
            'git@gitlab.com:acme/infra/fabric.git':
                'https://gitlab.com/acme/infra/fabric/-/compare/main...netbox/review',
            'https://gitlab.example.com/acme/fabric':
                'https://gitlab.example.com/acme/fabric/-/compare/main...netbox/review',
            'https://gitea.example.com:3000/acme/fabric.git':
                'https://gitea.example.com:3000/acme/fabric/compare/main...netbox/review',
            'git@codeberg.org:acme/fabric.git': 'https://codeberg.org/acme/fabric/compare/main...netbox/review',
            'https://forgejo.example.org/acme/fabric': 'https://forgejo.example.org/acme/fabric/compare/main...netbox/review',
        }
        for url, expected in cases.items():
            with self.subTest(url=url):
                self.assertEqual(compare_url(url, 'main', REVIEW), expected)

    def test_no_link_for_other_hosts_and_never_credentials(self):
        for url in ('https://git.example.com/acme/fabric.git', 'file:///srv/git/fabric.git', 'https://github.com/',
                    'ssh://git@bitbucket.org/acme/fabric.git', ''):
            with self.subTest(url=url):
                self.assertEqual(compare_url(url, 'main', REVIEW), '')
        link = compare_url('https://x-access-token:ghp_SECRET123@github.com/acme/fabric.git', 'main', REVIEW)
        self.assertEqual(link, 'https://github.com/acme/fabric/compare/main...netbox/review')
        self.assertNotIn('SECRET', link)
        self.assertNotIn('@', link)

    def test_branch_names_follow_gits_rules(self):
        for name in ('review', 'netbox/review', 'team.edits-1'):
            with self.subTest(name=name):
                self.assertIsNone(branch_problem(name))
        for name in ('bad..name', 'with space', '-dash', 'ends/', 'x.lock', 'a//b', 'q?', '.hidden', 'a@{b', '@'):
            with self.subTest(name=name):
                self.assertIn(f'{name!r} is not a valid Git branch name', branch_problem(name))


class ReviewBranchTest(GitOpsTestCase):
    def setUp(self):
        super().setUp()
        self.login()
        self.fabric = self.git_fabric(git_write_branch=REVIEW)
        self.synced(self.fabric)
        self.start = self.repo.head()

    def edit_vlan(self, name, vlan):
        vpc = self.vpc(self.fabric, name)
        spec = {**vpc.spec, 'subnets': {'default': {**vpc.spec['subnets']['default'], 'vlan': vlan}}}
        self.api_patch(vpc, {'spec': spec})

    def written(self):
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.fabric.refresh_from_db()

    def test_edits_stack_on_the_review_branch_and_the_tracked_branch_does_not_move(self):
        self.assertIsNone(branch_head(self.repo, REVIEW))
        self.edit_vlan('vpc-1', 1111)
        self.written()
        self.assertEqual(self.repo.head(), self.start, 'the tracked branch does not move')
        first = branch_head(self.repo, REVIEW)
        self.assertEqual(git('rev-parse', f'{first}^', cwd=self.repo.path).strip(), self.start,
                         'the review branch is created from the tracked branch')
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: update VPC vpc-1 (by alice)'])
        self.assertIn('vlan: 1111', self.repo.show('env-1/vpcs.yaml', ref=REVIEW))
        self.assertEqual(self.fabric.git_review_waiting, 1)
        vpc = self.vpc(self.fabric, 'vpc-1')
        self.assertEqual((vpc.git_review_branch, vpc.git_pending_since), (REVIEW, None))

        self.edit_vlan('vpc-2', 1112)
        self.written()
        self.assertTrue(is_ancestor(self.repo, first, REVIEW), 'the second commit stacks on the first (no force)')
        self.assertEqual(git('rev-parse', f'{REVIEW}^', cwd=self.repo.path).strip(), first)
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: update VPC vpc-1 (by alice)',
                                                      'netbox-hedgehog: update VPC vpc-2 (by alice)'])
        self.assertEqual((self.repo.head(), self.fabric.git_review_waiting), (self.start, 2))

        page = self.client.get(self.fabric.get_absolute_url())
        self.assertContains(page, f'2 change(s) waiting for review on {REVIEW}')
        self.assertNotContains(page, 'Compare with the tracked branch', msg_prefix='no link for a file:// URL')
        body = self.api.get(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/').json()
        self.assertEqual((body['git_write_branch'], body['git_review_waiting'], body['git_compare_url']),
                         (REVIEW, 2, ''))
        body = self.api.get(f'/api/plugins/hedgehog/vpcs/{vpc.pk}/').json()
        self.assertEqual(body['git_review_branch'], REVIEW)

        # A sync reads the tracked branch: the edits stay in NetBox, waiting for review, and the fabric does not
        # claim to agree with the cluster, which still has the old VLANs.
        run = self.synced(self.fabric)
        self.assertIn(f"2 change(s) waiting for review on branch '{REVIEW}'", run.log)
        vpc = self.vpc(self.fabric, 'vpc-1')
        self.assertEqual((vpc.vlans, vpc.git_review_branch, vpc.drift_status), ([1111], REVIEW, 'differs'))
        self.assertEqual((self.fabric.drift_count, self.fabric.drift_status, self.fabric.git_review_waiting),
                         (2, 'drifted', 2))
        page = self.client.get(vpc.get_absolute_url())
        self.assertContains(page, f'Waiting for review on {REVIEW}')

        # Merged (a fast-forward of the tracked branch): nothing waits any more and NetBox holds what Git holds.
        git('update-ref', 'refs/heads/main', f'refs/heads/{REVIEW}', cwd=self.repo.path)
        self.synced(self.fabric)
        vpc = self.vpc(self.fabric, 'vpc-1')
        self.assertEqual((vpc.vlans, vpc.git_review_branch, vpc.git_file), ([1111], '', 'env-1/vpcs.yaml'))
        self.assertEqual(self.fabric.git_review_waiting, 0)
        self.assertContains(self.client.get(self.fabric.get_absolute_url()),
                            f'0 change(s) waiting for review on {REVIEW}')

        # The next edit continues from the tracked branch's head, on top of the merged review branch.
        self.repo.commit({'env-1/README.md': 'notes\n'}, 'Unrelated change on main')
        merged = branch_head(self.repo, REVIEW)
        self.edit_vlan('vpc-1', 1113)
        self.written()
        self.assertEqual(git('rev-parse', f'{REVIEW}^', cwd=self.repo.path).strip(), self.repo.head())
        self.assertTrue(is_ancestor(self.repo, merged, REVIEW))
        self.assertEqual(self.fabric.git_review_waiting, 1)

    def test_a_dropped_review_gives_back_what_the_tracked_branch_holds_and_the_run_says_so(self):
        self.edit_vlan('vpc-1', 1114)
        self.written()
        self.synced(self.fabric)
        self.assertEqual(self.vpc(self.fabric, 'vpc-1').vlans, [1114])
        git('update-ref', '-d', f'refs/heads/{REVIEW}', cwd=self.repo.path)
        run = self.synced(self.fabric)
        vpc = self.vpc(self.fabric, 'vpc-1')
        self.assertEqual((vpc.vlans, vpc.git_review_branch, vpc.drift_status), ([1001], '', 'in_sync'))
        self.assertEqual(run.total('update'), 1)
        self.assertEqual(run.changes.get(action='update').name, 'vpc-1')
        self.assertEqual((self.fabric.git_review_waiting, self.fabric.drift_count), (0, 0))

    def test_a_deletion_waiting_for_review_is_not_brought_back_and_counts_as_drift(self):
        name = 'vpc-3--server-06--bundled--leaf-03'
        attachment = VPCAttachment.objects.get(fabric=self.fabric, name=name)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.api.delete(f'/api/plugins/hedgehog/vpc-attachments/{attachment.pk}/').status_code,
                             204)
        self.written()
        self.assertEqual((self.fabric.git_review_waiting, self.fabric.git_review_deletions),
                         (1, [f'VPCAttachment/{name}']))
        self.assertNotIn(f'name: {name}\n', self.repo.show('env-1/peerings.yaml', ref=REVIEW))
        # The tracked branch and the cluster still hold it: the sync keeps it deleted in NetBox, and the fabric
        # says it drifts (the cluster holds an object NetBox deleted) rather than in sync; twice, the second time
        # with the commit unchanged.
        for _sync in range(2):
            self.synced(self.fabric)
            self.assertFalse(VPCAttachment.objects.filter(fabric=self.fabric, name=name).exists())
            self.assertEqual((self.fabric.drift_count, self.fabric.drift_status), (1, 'drifted'))
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertContains(page, 'Deletions waiting for review')
        self.assertContains(page, f'VPCAttachment {name}')
        body = self.api.get(f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/').json()
        self.assertEqual(body['git_review_deletions'], [f'VPCAttachment/{name}'])

        # The review is dropped: the tracked branch's object comes back, and nothing waits any more.
        git('update-ref', '-d', f'refs/heads/{REVIEW}', cwd=self.repo.path)
        run = self.synced(self.fabric)
        self.assertEqual(VPCAttachment.objects.get(fabric=self.fabric, name=name).drift_status, 'in_sync')
        self.assertEqual(run.changes.get(action='create').name, name)
        self.assertEqual((self.fabric.git_review_waiting, self.fabric.git_review_deletions, self.fabric.drift_count),
                         (0, [], 0))

    def test_bulk_delete_is_one_commit_listing_the_objects(self):
        attachments = list(VPCAttachment.objects.filter(fabric=self.fabric).order_by('name')[:3])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse('plugins:netbox_hedgehog:vpcattachment_bulk_delete'), {
                'pk': [a.pk for a in attachments], 'confirm': True, '_confirm': True,
            })
        self.assertEqual(response.status_code, 302, response.content[-2000:])
        self.assertEqual(len(self.queued_ids('default')), 1, 'one job for the request')
        self.written()
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: 3 changes (by alice)'])
        body = git('log', '-1', '--format=%b', REVIEW, cwd=self.repo.path)
        for attachment in attachments:
            self.assertIn(f'- delete VPCAttachment {attachment.name}\n', body)
            for ref in (REVIEW, 'main'):
                text = ''.join(self.repo.show(path, ref=ref) or '' for path in ('env-1/vpcs.yaml',
                                                                                'env-1/peerings.yaml'))
                self.assertEqual(f'name: {attachment.name}\n' in text, ref == 'main')
        self.assertEqual(self.repo.head(), self.start)

    def test_bulk_import_is_one_commit_listing_the_objects(self):
        names = ['vpc-7', 'vpc-8', 'vpc-9']
        data = csv_lines(('fabric', 'name', 'spec'), *[
            (self.fabric.name, name, {'subnets': {'default': {'subnet': f'10.20.{30 + i}.0/24', 'vlan': 1300 + i}}})
            for i, name in enumerate(names)
        ])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_import'), {
                'data': '\n'.join(data), 'format': 'csv', 'csv_delimiter': ',',
            })
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        self.assertEqual(len(self.queued_ids('default')), 1, 'one job for the request')
        self.written()
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: 3 changes (by alice)'])
        body = git('log', '-1', '--format=%b', REVIEW, cwd=self.repo.path)
        self.assertEqual(body.strip().splitlines(), [f'- create VPC {name}' for name in names])
        for name in names:
            self.assertIn(f'name: {name}\n', self.repo.show(f'env-1/vpc-{name}.yaml', ref=REVIEW))
            self.assertEqual(self.vpc(self.fabric, name).git_review_branch, REVIEW)

    def bulk_edit_vpcs(self, **data):
        vpcs = list(VPC.objects.filter(fabric=self.fabric).order_by('name'))
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_edit'), {
                'pk': [v.pk for v in vpcs], '_apply': True, **data,
            })

    def test_bulk_edit_sets_and_removes_labels_one_commit_each(self):
        response = self.bulk_edit_vpcs(set_labels='team=blue\ntier=gold')
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        self.written()
        response = self.bulk_edit_vpcs(remove_labels='team')
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        self.written()
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: 3 changes (by alice)'] * 2)
        self.assertEqual({tuple(sorted(v.labels.items())) for v in VPC.objects.filter(fabric=self.fabric)},
                         {(('tier', 'gold'),)})
        text = self.repo.show('env-1/vpcs.yaml', ref=REVIEW) + self.repo.show('env-1/peerings.yaml', ref=REVIEW)
        self.assertEqual((text.count('tier: gold'), text.count('team: blue')), (3, 0))

        response = self.bulk_edit_vpcs(set_labels='team=blue, bad key=1')
        self.assertEqual(response.status_code, 200)
        self.assertIn("key 'bad key' is not valid", response.context['form'].errors['set_labels'][0])
        response = self.bulk_edit_vpcs(set_labels='teamblue')
        self.assertEqual(response.context['form'].errors['set_labels'], ["'teamblue' is not key=value."])
        self.assertEqual(self.queued_ids('default'), [])

    def test_a_rest_bulk_update_is_one_commit(self):
        vpcs = list(VPC.objects.filter(fabric=self.fabric).order_by('name'))
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api.patch('/api/plugins/hedgehog/vpcs/', [
                {'id': vpc.pk, 'labels': {'owner': 'net-team'}} for vpc in vpcs
            ], format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(len(self.queued_ids('default')), 1)
        self.written()
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: 3 changes (by alice)'])

    def test_a_conflict_in_one_document_fails_the_whole_commit_and_pushes_nothing(self):
        self.repo.commit({'env-1/vpcs.yaml': VPCS_TEXT.replace('vlan: 1002', 'vlan: 1188')}, 'Changed on main')
        head = self.repo.head()
        response = self.bulk_edit_vpcs(set_labels='team=blue')
        self.assertEqual(response.status_code, 302, response.content[-3000:])
        self.assertEqual(len(self.queued_ids('default')), 1)
        self.work('default')
        (failure,) = self.failed_jobs()
        self.assertIn('Conflict: VPC vpc-2 was changed in env-1/vpcs.yaml', failure)
        self.assertIn('none of the 3 changes of this request was committed and the remote was left untouched',
                      failure)
        self.assertNotIn('VPC vpc-1 was', failure)
        self.assertIsNone(branch_head(self.repo, REVIEW), 'nothing was pushed')
        self.assertEqual(self.repo.head(), head)
        for vpc in VPC.objects.filter(fabric=self.fabric):
            self.assertEqual((vpc.git_pending_since, vpc.git_review_branch), (None, ''))
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).git_commit, '', 'the next sync reads Git in full')

    def test_the_review_branch_is_validated(self):
        url = f'/api/plugins/hedgehog/fabrics/{self.fabric.pk}/'
        response = self.api.patch(url, {'git_write_branch': 'bad..name'}, format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn("'bad..name' is not a valid Git branch name", response.json()['git_write_branch'][0])
        response = self.api.patch(url, {'git_write_branch': 'main'}, format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn('must differ from the tracked branch (main)', response.json()['git_write_branch'][0])
        response = self.client.post(reverse('plugins:netbox_hedgehog:fabric_edit', args=[self.fabric.pk]), {
            'name': self.fabric.name, 'status': 'active', 'write_mode': 'git', 'kubernetes_namespace': 'default',
            'git_url': self.fabric.git_url, 'git_branch': 'main', 'git_write_branch': 'with space',
            'git_path': 'env-1', 'git_author_name': 'x', 'git_author_email': 'x@example.com', 'sync_interval': 300,
        })
        self.assertContains(response, 'is not a valid Git branch name')
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).git_write_branch, REVIEW)
        response = self.api.patch(url, {'git_write_branch': ''}, format='json')
        self.assertEqual(response.status_code, 200)

    def test_the_compare_link_on_the_fabric_page_and_in_rest(self):
        fabric = Fabric.objects.create(name='hosted', git_url='https://github.com/acme/fabric.git',
                                       git_write_branch=REVIEW)
        link = 'https://github.com/acme/fabric/compare/main...netbox/review'
        page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, f'href="{link}"')
        self.assertContains(page, f'0 change(s) waiting for review on {REVIEW}')
        body = self.api.get(f'/api/plugins/hedgehog/fabrics/{fabric.pk}/').json()
        self.assertEqual(body['git_compare_url'], link)
        self.assertEqual(self.api.get('/api/plugins/hedgehog/fabrics/', {'git_write_branch': REVIEW}).json()['count'],
                         2)
        response = self.api.post(reverse('graphql'), {'query': '{ hedgehog_fabric_list(filters: {name: {exact: '
                                                               '"hosted"}}) { git_write_branch git_review_waiting '
                                                               'git_compare_url } }'}, format='json')
        self.assertEqual(response.json()['data']['hedgehog_fabric_list'], [
            {'git_write_branch': REVIEW, 'git_review_waiting': 0, 'git_compare_url': link},
        ])


class ReviewBranchOverHTTPTest(GitOpsTestCase):
    """The review branch over smart HTTP behind a token: created, counted, and continued after a merge."""

    def test_review_branch_over_smart_http(self):
        server = GitHTTPServer(self.tmp, TOKEN).start()
        self.addCleanup(server.stop)
        self.login()
        fabric = self.git_fabric(git_url=server.url(self.repo), git_token=TOKEN, git_write_branch=REVIEW)
        self.synced(fabric)
        start = self.repo.head()
        self.api_patch(self.vpc(fabric, 'vpc-1'), {'labels': {'owner': 'net-team'}})
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual((self.repo.head(), review_subjects(self.repo)),
                         (start, ['netbox-hedgehog: update VPC vpc-1 (by alice)']))
        run = self.synced(fabric)
        self.assertEqual(fabric.git_review_waiting, 1)
        self.assertNotIn(TOKEN, run.log)

        git('update-ref', 'refs/heads/main', f'refs/heads/{REVIEW}', cwd=self.repo.path)
        self.repo.commit({'env-1/README.md': 'notes\n'}, 'Unrelated change on main')
        self.synced(fabric)
        self.assertEqual(fabric.git_review_waiting, 0)
        self.api_patch(self.vpc(fabric, 'vpc-2'), {'labels': {'owner': 'net-team'}})
        self.work('default')
        self.assertEqual(self.failed_jobs(), [])
        self.assertEqual(git('rev-parse', f'{REVIEW}^', cwd=self.repo.path).strip(), self.repo.head())
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: update VPC vpc-2 (by alice)'])


def many_vpcs(count):
    """`count` VPCs in one file, as a GitOps repository holds them."""
    return '---\n'.join(
        f'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: vpc-{i:02d}\n  namespace: default\n'
        f'spec:\n  subnets:\n    default:\n      subnet: 10.20.{40 + i}.0/24\n      vlan: {1400 + i}\n'
        for i in range(1, count + 1)
    )


class ReviewBranchEndToEndTest(KubeAPIServerMixin, TransactionTestCase):
    """A bulk edit of 20 VPCs through the bulk edit view, written by a real `netbox rqworker`: one job, one commit on
    the review branch listing the 20 VPCs, and the tracked branch does not move."""

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory(prefix='hedgehog-review-e2e-')
        self.addCleanup(directory.cleanup)
        tmp = Path(directory.name)
        text = many_vpcs(20)
        self.repo = BareRepo(tmp / 'fabric.git', {'vpcs/vpcs.yaml': text})
        self.kube.clear()
        self.kube.clear_faults()
        self.kube.load_yaml(WIRING)      # the namespaces the VPCs' subnets and VLANs come from
        self.kube.load_yaml(text)
        self.redis = django_rq.get_connection('default')
        self.redis.flushdb()
        cache = tmp / 'cache'
        settings = plugin_settings(git_cache_dir=str(cache))
        settings.enable()
        self.addCleanup(settings.disable)
        self.processes = Processes(str(tmp), environment(PGDATABASE=connection.settings_dict['NAME'],
                                                         HEDGEHOG_GIT_CACHE_DIR=str(cache)))
        self.addCleanup(lambda: print(self.processes.tails()))
        self.addCleanup(self.processes.kill_all)
        self.fabric = Fabric.objects.create(
            name='lab', kubeconfig=self.kube.kubeconfig(), git_url=self.repo.url, git_path='vpcs',
            git_write_branch=REVIEW, git_author_name='Fabric Bot', git_author_email='bot@example.com',
        )
        run = run_sync(create_run(self.fabric, SyncTriggerChoices.COMMAND))
        self.assertEqual(run.status, 'succeeded', run.error)
        self.client.force_login(User.objects.create_superuser('admin', 'admin@example.com', 'x'))
        self.processes.worker('git-worker', 'default')
        try:
            self.processes.wait_ready('git-worker', timeout=BOOT)
        except ProcessError as error:
            self.fail(str(error))

    def test_a_bulk_edit_of_20_objects_is_one_commit_on_the_review_branch(self):
        start = self.repo.head()
        vpcs = list(VPC.objects.filter(fabric=self.fabric).order_by('name'))
        self.assertEqual(len(vpcs), 20)
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_edit'), {
            'pk': [v.pk for v in vpcs], '_apply': True, 'set_labels': 'team=blue, tier=gold',
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])

        def committed():
            fabric = Fabric.objects.get(pk=self.fabric.pk)
            return fabric if fabric.git_review_waiting and not VPC.objects.filter(
                fabric=self.fabric, git_pending_since__isnull=False).exists() else None

        try:
            fabric = self.processes.wait_for(committed, JOB, 'the bulk edit was not committed')
        except ProcessError as error:
            self.fail(str(error))
        self.assertEqual(len(FailedJobRegistry(queue=django_rq.get_queue('default'))), 0)
        self.assertEqual(self.repo.head(), start, 'the tracked branch does not move')
        self.assertEqual(review_subjects(self.repo), ['netbox-hedgehog: 20 changes (by admin)'])
        self.assertEqual(fabric.git_review_waiting, 1)
        body = git('log', '-1', '--format=%b', REVIEW, cwd=self.repo.path)
        self.assertEqual(body.strip().splitlines(), [f'- update VPC {v.name}' for v in vpcs])
        self.assertEqual(git('log', '-1', '--format=%an <%ae>', REVIEW, cwd=self.repo.path).strip(),
                         'Fabric Bot <bot@example.com>')
        text = self.repo.show('vpcs/vpcs.yaml', ref=REVIEW)
        self.assertEqual(text.count('team: blue'), 20)
        self.assertEqual(text.count('tier: gold'), 20)
        self.assertNotIn('team: blue', self.repo.show('vpcs/vpcs.yaml'))
        self.assertEqual(VPC.objects.filter(fabric=self.fabric, git_review_branch=REVIEW).count(), 20)
        page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, f'1 change(s) waiting for review on {REVIEW}')
