"""The attacks of issue #12 (security items 1-6), each tried against real components, and what stops them.

A user with ordinary permissions works through the Django test client and the REST API; credentials are checked at
a real HTTP listener on loopback that records what reaches it, at real git over HTTP and at the HTTPS Kubernetes API
test server.
"""
import base64
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from core.models import ObjectType
from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token, User

from netbox_hedgehog.gitops.repository import GitError, fabric_repository
from netbox_hedgehog.kubeconfig import problem as kubeconfig_problem
from netbox_hedgehog.models import VPC, Fabric, IPv4Namespace, VLANNamespace
from netbox_hedgehog.models.fabric import reveal_credential
from tests.cluster import ClusterTestCase
from tests.gitserver import BareRepo, GitHTTPServer
from tests.specs import create_objects
from tests.test_sync import plugin_settings

GIT_TOKEN = 'git-token-SECURITYCHECK-1'
KUBE_TOKEN = 'kube-token-SECURITYCHECK-2'
SECRET_MARKERS = ('SECURITYCHECK', 'BEGIN OPENSSH')
REMOTE_BODY = 'internal-stack-trace-BODYMARKER at /srv/app/secret_config.py line 12'

# Ten values per level, eight levels of aliases: about 400 bytes that expand to 10^9 values.
ALIAS_BOMB = 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n' + ''.join(
    f'l{level}: &l{level} [{", ".join([f"*l{level - 1}"] * 10)}]\n' for level in range(1, 9)
)

VPC_SPEC = 'subnets:\n  default:\n    subnet: 10.10.1.0/24\n    vlan: 1001\n'


def _rss_peak_growth(action):
    """Run `action` and return (its result, growth of this process's peak resident memory in bytes)."""
    def status(field):
        for line in Path('/proc/self/status').read_text().splitlines():
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
        raise AssertionError(f'{field} missing from /proc/self/status')
    Path('/proc/self/clear_refs').write_text('5')  # resets the peak (VmHWM) to the current resident size
    before = status('VmRSS')
    result = action()
    return result, status('VmHWM') - before


class _RecordingHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def _answer(self):
        self.server.seen.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers)})
        status, body = self.server.answer
        payload = body.encode()
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


class RecordingServer:
    """An HTTP listener on loopback that records every request (with its headers) and answers `answer`."""

    def __init__(self, status=404, body='not here'):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _RecordingHandler)
        self.httpd.daemon_threads = True
        self.httpd.seen = []
        self.httpd.answer = (status, body)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.httpd.server_address[1]}'

    @property
    def seen(self):
        return self.httpd.seen

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class StallingServer:
    """Accepts TCP connections and never answers (a service that is not HTTP, or a hung one)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    @property
    def url(self):
        return f'http://127.0.0.1:{self.socket.getsockname()[1]}'

    def stop(self):
        for connection in self.connections:
            connection.close()
        self.socket.close()


class SecurityTestCase(ClusterTestCase):
    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix='hedgehog-security-test-')
        self.addCleanup(tmp.cleanup)
        self.tmp = Path(tmp.name)
        settings = plugin_settings(git_cache_dir=str(self.tmp / 'cache'))
        settings.enable()
        self.addCleanup(settings.disable)
        self.user = User.objects.create_user(username='operator')
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)

    def grant(self, model, *actions):
        permission = ObjectPermission.objects.create(name=f'{model.__name__}-{"-".join(actions)}',
                                                     actions=list(actions))
        permission.object_types.add(ObjectType.objects.get_for_model(model))
        permission.users.add(self.user)

    def listener(self, **answer):
        server = RecordingServer(**answer)
        self.addCleanup(server.stop)
        return server

    def fabric_url(self, fabric):
        return reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[fabric.pk])

    def assert_no_secret(self, where, text):
        for marker in SECRET_MARKERS:
            self.assertNotIn(marker, text, f'a credential reached {where}')


class CredentialRedirectionTest(SecurityTestCase):
    """Item 1: a user who may change fabrics but not sync them cannot send the stored credentials elsewhere."""

    def setUp(self):
        super().setUp()
        self.grant(Fabric, 'view', 'change')

    def test_changing_the_api_server_drops_the_kubeconfig_and_nothing_reaches_the_new_server(self):
        fabric = self.make_fabric(token=KUBE_TOKEN)
        listener = self.listener(status=200, body='{}')
        with plugin_settings(git_cache_dir=str(self.tmp / 'cache'), allow_insecure_http=False):
            refused = self.api.patch(self.fabric_url(fabric), {'kubernetes_server': listener.url}, format='json')
        self.assertEqual(refused.status_code, 400, refused.content)
        self.assertIn('allow_insecure_http', refused.json()['kubernetes_server'][0])

        response = self.api.patch(self.fabric_url(fabric), {'kubernetes_server': listener.url}, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['credentials_dropped'], ['kubeconfig'])
        self.assertFalse(response.json()['kubeconfig_set'])
        fabric.refresh_from_db()
        self.assertFalse(fabric.has_kubeconfig)

        run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn('no credentials', run.error)
        self.assertEqual(listener.seen, [], 'nothing may be sent to the new server')

    def test_a_new_token_sent_with_the_new_server_is_kept(self):
        fabric = self.make_fabric(token=KUBE_TOKEN)
        response = self.api.patch(self.fabric_url(fabric), {
            'kubernetes_server': 'https://api.elsewhere.example:6443', 'kubeconfig': self.kube.kubeconfig(),
        }, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['credentials_dropped'], [])
        self.assertTrue(response.json()['kubeconfig_set'])

    def test_changing_the_git_host_drops_the_git_token_and_no_token_reaches_it(self):
        repo = BareRepo(self.tmp / 'repos' / 'fabric.git', {'vpc.yaml': ''})
        git_server = GitHTTPServer(self.tmp / 'repos', GIT_TOKEN).start()
        self.addCleanup(git_server.stop)
        fabric = self.make_fabric(git_url=git_server.url(repo), git_token=GIT_TOKEN)
        listener = self.listener(status=401, body='who are you')

        response = self.api.patch(self.fabric_url(fabric), {'git_url': f'{listener.url}/git/repo.git'},
                                  format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['credentials_dropped'], ['Git token'])
        fabric.refresh_from_db()
        self.assertFalse(fabric.has_git_token)

        run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertTrue(listener.seen, 'git did try the new URL')
        expected = base64.b64encode(f'x-access-token:{GIT_TOKEN}'.encode()).decode()
        for request in listener.seen:
            self.assertNotIn(expected, str(request['headers']))
            self.assertNotIn('Authorization', request['headers'])

    def test_the_edit_form_says_which_credentials_it_removed(self):
        fabric = self.make_fabric(git_url='https://git.example.com/fabric.git', git_token=GIT_TOKEN)
        url = reverse('plugins:netbox_hedgehog:fabric_edit', args=[fabric.pk])
        data = {
            'name': fabric.name, 'status': fabric.status, 'kubernetes_namespace': 'default', 'verify_tls': True,
            'git_url': 'https://attacker.example.net/fabric.git', 'git_branch': 'main',
            'git_author_name': 'x', 'git_author_email': 'x@example.com', 'sync_interval': 300,
        }
        response = self.client.post(url, data, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'Removed the stored Git token')
        fabric.refresh_from_db()
        self.assertEqual((fabric.git_url, fabric.has_git_token, fabric.has_kubeconfig),
                         ('https://attacker.example.net/fabric.git', False, True))

    def test_turning_on_scheduled_sync_needs_the_sync_permission(self):
        fabric = self.make_fabric()
        response = self.api.patch(self.fabric_url(fabric), {'sync_enabled': True}, format='json')
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('sync_fabric', response.json()['sync_enabled'][0])
        url = reverse('plugins:netbox_hedgehog:fabric_edit', args=[fabric.pk])
        page = self.client.post(url, {
            'name': fabric.name, 'status': fabric.status, 'kubernetes_namespace': 'default', 'verify_tls': True,
            'git_branch': 'main', 'git_author_name': 'x', 'git_author_email': 'x@example.com',
            'sync_interval': 300, 'sync_enabled': 'on',
        })
        self.assertContains(page, 'Turning on scheduled sync needs the permission')
        fabric.refresh_from_db()
        self.assertFalse(fabric.sync_enabled)

        self.grant(Fabric, 'sync')
        response = self.api.patch(self.fabric_url(fabric), {'sync_enabled': True}, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()['sync_enabled'])

    def test_hosts_outside_the_allow_list_are_refused(self):
        fabric = self.make_fabric()
        with plugin_settings(git_cache_dir=str(self.tmp / 'cache'), allowed_hosts=['*.corp.example']):
            refused = self.api.patch(self.fabric_url(fabric), {'git_url': 'https://github.com/x/y.git'},
                                     format='json')
            allowed = self.api.patch(self.fabric_url(fabric), {'git_url': 'https://git.corp.example/x/y.git'},
                                     format='json')
        self.assertEqual(refused.status_code, 400, refused.content)
        self.assertIn('allowed_hosts', refused.json()['git_url'][0])
        self.assertEqual(allowed.status_code, 200, allowed.content)


class AliasBombTest(SecurityTestCase):
    """Item 2: YAML whose aliases expand a billionfold is refused at once, wherever it comes from."""

    def assert_fast_and_flat(self, action):
        started = time.monotonic()
        result, growth = _rss_peak_growth(action)
        elapsed = time.monotonic() - started
        # Unbounded, the same input takes minutes and gigabytes.
        self.assertLess(elapsed, 5, f'refusing the bomb took {elapsed:.1f} s')
        self.assertLess(growth, 64 * 1024 * 1024, f'the process grew by {growth / 2**20:.0f} MiB')
        return result

    def test_bomb_in_the_vpc_add_form(self):
        self.grant(VPC, 'add', 'view')
        fabric = self.make_fabric()
        url = reverse('plugins:netbox_hedgehog:vpc_add')
        response = self.assert_fast_and_flat(lambda: self.client.post(url, {
            'fabric': fabric.pk, 'name': 'bomb', 'spec': ALIAS_BOMB,
        }))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'aliases (*name) would expand this document')
        self.assertFalse(VPC.objects.filter(name='bomb').exists())

    def test_bomb_in_a_bulk_import(self):
        self.grant(VPC, 'add', 'view')
        fabric = self.make_fabric()
        spec = ''.join(f'    {line}\n' for line in ALIAS_BOMB.splitlines())
        data = f'---\nfabric: {fabric.name}\nname: bomb\nspec:\n{spec}'
        url = reverse('plugins:netbox_hedgehog:vpc_bulk_import')
        response = self.assert_fast_and_flat(lambda: self.client.post(url, {'data': data, 'format': 'yaml'}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'would expand this document')
        self.assertFalse(VPC.objects.filter(name='bomb').exists())

    def test_bomb_as_a_kubeconfig(self):
        self.grant(Fabric, 'add', 'view')
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-list')
        response = self.assert_fast_and_flat(lambda: self.api.post(url, {
            'name': 'bomb', 'kubeconfig': ALIAS_BOMB + 'clusters: []\n',
        }, format='json'))
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('would expand this document', response.json()['kubeconfig'][0])

    def test_bomb_in_a_git_file(self):
        repo = BareRepo(self.tmp / 'fabric.git', {
            'vpc.yaml': 'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: bomb\nspec:\n'
                        + ''.join(f'  {line}\n' for line in ALIAS_BOMB.splitlines()),
        })
        fabric = self.make_fabric(git_url=repo.url)
        run = self.assert_fast_and_flat(lambda: self.sync(fabric))
        self.assertIn('vpc.yaml', run.log)
        self.assertIn('would expand this document', run.log)
        self.assertFalse(VPC.objects.filter(name='bomb').exists())

    def test_oversized_git_file_is_refused_by_name(self):
        repo = BareRepo(self.tmp / 'fabric.git', {'big.yaml': '# padding\n' * 2000})
        fabric = self.make_fabric(git_url=repo.url)
        with plugin_settings(git_cache_dir=str(self.tmp / 'cache'), yaml_max_bytes=10_000):
            run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn("'big.yaml' is 20,000 bytes long", run.error)


class ExportTemplateTest(SecurityTestCase):
    """Item 3: templates people write (export templates, custom links) render no credential."""

    def test_export_template_and_custom_link_render_no_credential(self):
        self.grant(Fabric, 'view')
        permission = ObjectPermission.objects.create(name='templates-and-links', actions=['add', 'view'])
        permission.object_types.add(ObjectType.objects.get(app_label='extras', model='exporttemplate'),
                                    ObjectType.objects.get(app_label='extras', model='customlink'))
        permission.users.add(self.user)
        fabric = self.make_fabric(token=KUBE_TOKEN, kubernetes_token=KUBE_TOKEN, git_url='https://git.example.com/f',
                                  git_token=GIT_TOKEN)
        code = ('{% for f in queryset %}[{{ f.kubeconfig }}|{{ f.kubernetes_token }}|{{ f.git_token }}|'
                '{{ f.git_ssh_key }}|{{ f.name }}]{% endfor %}')
        created = self.api.post('/api/extras/export-templates/', {
            'name': 'steal', 'object_types': ['netbox_hedgehog.fabric'], 'template_code': code,
        }, format='json')
        self.assertEqual(created.status_code, 201, created.content)

        export = self.client.get(reverse('plugins:netbox_hedgehog:fabric_list') + '?export=steal')
        self.assertEqual(export.status_code, 200)
        text = b''.join(export.streaming_content if export.streaming else [export.content]).decode()
        self.assertIn(f'[||||{fabric.name}]', text)
        self.assert_no_secret('an export template', text)

        created = self.api.post('/api/extras/custom-links/', {
            'name': 'steal', 'object_types': ['netbox_hedgehog.fabric'],
            'link_text': 'creds {{ object.git_token }}{{ object.kubeconfig }}',
            'link_url': 'https://collector.example/?k={{ object.kubernetes_token }}',
        }, format='json')
        self.assertEqual(created.status_code, 201, created.content)
        page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, 'href="https://collector.example/?k="')
        self.assert_no_secret('a custom link', page.content.decode())
        self.assertEqual(reveal_credential(fabric, 'git_token'), GIT_TOKEN, 'the credential itself is kept')


class LocalRepositoryTest(SecurityTestCase):
    """Item 4: file:// URLs and paths are refused unless an administrator allows local repositories."""

    def test_local_and_option_like_urls_are_refused(self):
        self.grant(Fabric, 'view', 'add', 'change')
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-list')
        repo = BareRepo(self.tmp / 'private.git', {'vpc.yaml': ''})
        with plugin_settings(git_cache_dir=str(self.tmp / 'cache'), allow_local_git=False):
            for git_url, expected in (
                (repo.url, 'allow_local_git'), (str(repo.path), 'allow_local_git'),
                ('-uhttps://x/y', 'not starting with "-"'), ('--upload-pack=touch /tmp/x', 'not starting with "-"'),
                ('ftp://git.example.com/x.git', 'https://'),
                ('git://127.0.0.1:6379/x.git', 'git:// repositories cannot be used'),
            ):
                with self.subTest(git_url=git_url):
                    response = self.api.post(url, {'name': 'local', 'git_url': git_url}, format='json')
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertIn(expected, response.json()['git_url'][0])
            for number, git_url in enumerate(('https://git.example.com/f.git', 'ssh://git@git.example.com/f.git',
                                              'git@git.example.com:team/f.git')):
                with self.subTest(git_url=git_url):
                    response = self.api.post(url, {'name': f'remote-{number}', 'git_url': git_url}, format='json')
                    self.assertEqual(response.status_code, 201, response.content)

            # A fabric stored while local repositories were allowed is not read once they are not.
            fabric = self.make_fabric(git_url=repo.url)
            run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn('Local repositories', run.error)
        self.assertFalse((self.tmp / 'cache' / str(fabric.pk)).exists(), 'nothing was fetched')


class RemoteErrorTest(SecurityTestCase):
    """Item 5: what a Git server answers never reaches people, and a stalled server is given up on."""

    def test_error_body_of_the_git_server_is_not_shown(self):
        listener = self.listener(status=500, body=REMOTE_BODY)
        fabric = self.make_fabric(git_url=f'{listener.url}/fabric.git')
        run = self.sync(fabric)
        fabric.refresh_from_db()
        self.assertEqual(run.status, 'failed')
        self.assertTrue(listener.seen)
        for where, text in (('the run error', run.error), ('the run log', run.log),
                            ('the fabric', fabric.last_sync_error)):
            self.assertIn('500', text, where)
            self.assertNotIn('BODYMARKER', text, where)
            self.assertNotIn('remote:', text, where)

    def test_stalled_git_server_is_given_up_on(self):
        server = StallingServer()
        self.addCleanup(server.stop)
        fabric = self.make_fabric(git_url=f'{server.url}/fabric.git')
        started = time.monotonic()
        with plugin_settings(git_cache_dir=str(self.tmp / 'cache'), git_stall_timeout=3):
            with self.assertRaises(GitError) as caught, fabric_repository(fabric) as repository:
                repository.fetch()
        elapsed = time.monotonic() - started
        self.assertIn('did not answer in time', str(caught.exception))
        self.assertLess(elapsed, 60, 'git gave up long after the stall timeout')


class UncheckedInputTest(SecurityTestCase):
    """Item 6: names, namespaces, labels, annotations and kubeconfigs follow Kubernetes' rules when stored."""

    def test_invalid_names_labels_and_annotations_are_refused(self):
        self.grant(VPC, 'view', 'add')
        fabric = self.make_fabric(write_mode='cluster')
        create_objects(VLANNamespace, fabric, [('default', {'ranges': [{'from': 1000, 'to': 2999}]})])
        create_objects(IPv4Namespace, fabric, [('default', {'subnets': ['10.10.0.0/16']})])
        url = reverse('plugins-api:netbox_hedgehog-api:vpc-list')
        spec = {'subnets': {'default': {'subnet': '10.10.1.0/24', 'vlan': 1001}}}
        for field, data in (
            ('name', {'name': 'a/b'}), ('name', {'name': '../../x'}), ('name', {'name': 'UPPER_case'}),
            ('name', {'name': '-lead'}), ('name', {'name': 'vpc-ünï'}), ('name', {'name': 'x' * 254}),
            ('labels', {'name': 'ok-1', 'labels': {'bad key!': 'x'}}),
            ('labels', {'name': 'ok-2', 'labels': {'team': 'not valid!'}}),
            ('annotations', {'name': 'ok-3', 'annotations': {'/no-prefix': 'x'}}),
        ):
            with self.subTest(**data):
                response = self.api.post(url, {'fabric': fabric.pk, 'spec': spec, **data}, format='json')
                self.assertEqual(response.status_code, 400, response.content)
                self.assertIn(field, response.json())
        response = self.api.post(url, {'fabric': fabric.pk, 'spec': spec, 'name': 'vpc-1.a',
                                       'labels': {'example.com/team': 'net_ops'}}, format='json')
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(VPC.objects.filter(fabric=fabric).count(), 1)

    def test_namespace_and_kubeconfig_structure_are_checked_when_stored(self):
        self.grant(Fabric, 'view', 'change')
        fabric = self.make_fabric()
        response = self.api.patch(self.fabric_url(fabric), {'kubernetes_namespace': '../..'}, format='json')
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('not a valid Kubernetes namespace', response.json()['kubernetes_namespace'][0])
        broken = ('apiVersion: v1\nclusters: [{name: k, cluster: "server"}]\ncurrent-context: c\n'
                  'contexts: [{name: c, context: {cluster: k, user: u}}]\nusers: [{name: u, user: {token: t}}]\n')
        response = self.api.patch(self.fabric_url(fabric), {'kubeconfig': broken}, format='json')
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('The cluster "k" must be a mapping', response.json()['kubeconfig'][0])
        fabric.refresh_from_db()
        self.assertEqual(fabric.kubernetes_namespace, 'default')
        self.assertIsNone(kubeconfig_problem(self.kube.kubeconfig()))

    def test_test_connection_with_a_kubeconfig_stored_unchecked_answers_in_words(self):
        self.grant(Fabric, 'view', 'sync')
        # Stored before kubeconfigs were checked (straight into the database): the cluster is a string.
        broken = ('clusters: [{name: k, cluster: "server"}]\ncurrent-context: c\n'
                  'contexts: [{name: c, context: {cluster: k, user: u}}]\nusers: [{name: u, user: {token: t}}]\n')
        fabric = Fabric.objects.create(name='unchecked', kubeconfig=broken)
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-test-connection', args=[fabric.pk])
        response = self.api.post(url, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()['ok'])
        self.assertIn('The stored kubeconfig cannot be used: The cluster "k" must be a mapping',
                      response.json()['message'])

    def test_a_name_with_a_slash_never_becomes_a_git_path(self):
        repo = BareRepo(self.tmp / 'fabric.git', {
            'vpc.yaml': 'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: ../../escape\n'
                        f'spec:\n{"".join(f"  {line}" + chr(10) for line in VPC_SPEC.splitlines())}',
        })
        fabric = self.make_fabric(git_url=repo.url)
        run = self.sync(fabric)
        self.assertIn('vpc.yaml', run.log)
        self.assertIn('not a valid Kubernetes name', run.log)
        self.assertFalse(VPC.objects.filter(fabric=fabric).exists())
        self.assertEqual(repo.changed_files(), ['vpc.yaml'], 'nothing was written to Git')
