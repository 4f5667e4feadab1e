"""A stored credential is found nowhere: not in REST, GraphQL, exports, pages, change log, search or logs."""
import json
import logging

from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import Token, User
from utilities.testing import TestCase

from netbox_hedgehog.models import Fabric
from netbox_hedgehog.models.fabric import reveal_credential

SECRETS = {
    'kubeconfig': (
        'apiVersion: v1\nkind: Config\ncurrent-context: c\n'
        'clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]\n'
        'contexts: [{name: c, context: {cluster: k, user: u}}]\n'
        'users: [{name: u, user: {token: kubeconfig-token-LEAKCHECK-1}}]\n'
    ),
    'kubernetes_token': 'bearer-token-LEAKCHECK-2',
    'git_token': 'git-token-LEAKCHECK-3',
    'git_ssh_key': '-----BEGIN OPENSSH PRIVATE KEY-----\nssh-key-LEAKCHECK-4\n-----END OPENSSH PRIVATE KEY-----\n',
}
MARKERS = ('LEAKCHECK', 'kubeconfig-token', 'bearer-token', 'git-token', 'ssh-key')


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


class CredentialLeakTest(TestCase):
    def setUp(self):
        super().setUp()
        self.admin = User.objects.create_user(username='leakadmin', is_superuser=True)
        token = Token.objects.create(user=self.admin)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.admin)
        self.logs = _Capture()
        logging.getLogger().addHandler(self.logs)
        logging.getLogger().setLevel(logging.DEBUG)

    def tearDown(self):
        logging.getLogger().removeHandler(self.logs)
        super().tearDown()

    def assert_clean(self, where, text):
        for marker in MARKERS:
            if marker in text:
                at = text.index(marker)
                self.fail(f'credential material found in {where}: ...{text[max(0, at - 80):at + 40]}...')
        for fabric in Fabric.objects.all():
            for stored in (fabric.kubeconfig_encrypted, fabric.kubernetes_token_encrypted,
                           fabric.git_token_encrypted, fabric.git_ssh_key_encrypted):
                if stored and stored[:40] in text:
                    self.fail(f'encrypted credential found in {where}')

    def test_credentials_are_found_nowhere(self):
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-list')
        response = self.api.post(url, {
            'name': 'leaky', 'kubernetes_server': 'https://127.0.0.1:6443', 'git_url': 'https://git.example/fab.git',
            **SECRETS,
        }, format='json')
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()['id']
        fabric = Fabric.objects.get(pk=pk)
        self.assertEqual(reveal_credential(fabric, 'git_token'), SECRETS['git_token'])
        self.assertTrue(all((fabric.has_kubeconfig, fabric.has_kubernetes_token, fabric.has_git_token,
                             fabric.has_git_ssh_key)))
        responses = {'REST create': response.content.decode()}
        detail = reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[pk])
        changed = self.api.patch(detail, {'git_token': 'git-token-LEAKCHECK-changed', 'description': 'x'},
                                 format='json')
        self.assertEqual(changed.status_code, 200, changed.content)
        responses['REST update'] = changed.content.decode()
        body = changed.json()
        self.assertTrue(body['kubeconfig_set'] and body['git_token_set'])
        for field in SECRETS:
            self.assertNotIn(field, body)

        gets = {
            'REST detail': detail,
            'REST list': url,
            'REST brief': f'{url}?brief=1',
            'REST change log': f'{reverse("core-api:objectchange-list")}?changed_object_id={pk}',
        }
        for where, target in gets.items():
            got = self.api.get(target)
            self.assertEqual(got.status_code, 200, where)
            responses[where] = got.content.decode()
        change_log = json.loads(responses['REST change log'])
        self.assertGreaterEqual(change_log['count'], 2, 'create and update are change-logged')

        pages = {
            'fabric page': reverse('plugins:netbox_hedgehog:fabric', args=[pk]),
            'edit form': reverse('plugins:netbox_hedgehog:fabric_edit', args=[pk]),
            'fabric list': reverse('plugins:netbox_hedgehog:fabric_list'),
            'CSV export': reverse('plugins:netbox_hedgehog:fabric_list') + '?export=table',
            'fabric change log': reverse('plugins:netbox_hedgehog:fabric_changelog', args=[pk]),
            'global change log': reverse('core:objectchange_list'),
            'global search': reverse('search') + '?q=leaky',
        }
        for where, target in pages.items():
            got = self.client.get(target)
            self.assertEqual(got.status_code, 200, where)
            responses[where] = got.content.decode()

        query = '{ hedgehog_fabric_list { ' + ' '.join(self._graphql_fields()) + ' } }'
        got = self.api.post(reverse('graphql'), {'query': query}, format='json')
        self.assertEqual(got.status_code, 200)
        self.assertNotIn('errors', got.json(), got.json())
        responses['GraphQL'] = got.content.decode()

        for where, text in responses.items():
            self.assert_clean(where, text)
        self.assert_clean('logs', '\n'.join(self.logs.lines))

    def _graphql_fields(self):
        """Every scalar and enum field of the fabric's GraphQL type, found by introspection."""
        from netbox_hedgehog.graphql.types import FabricType
        name = FabricType.__strawberry_definition__.name
        query = f'{{ __type(name: "{name}") {{ fields {{ name type {{ kind ofType {{ kind }} }} }} }} }}'
        fields = self.api.post(reverse('graphql'), {'query': query}, format='json').json()['data']['__type']['fields']
        self.assertFalse([f['name'] for f in fields if 'encrypted' in f['name'] or f['name'] in SECRETS],
                         'credential fields in GraphQL')
        leaf = {'SCALAR', 'ENUM'}
        return [f['name'] for f in fields
                if f['type']['kind'] in leaf or (f['type']['ofType'] or {}).get('kind') in leaf]
