"""The web UI: NetBox's own view test cases for every model, plus what a user sees and does on the pages
(object counts on a fabric, write-only credentials, spec errors on the spec field, YAML editing, references).

Inline specs follow published Hedgehog wiring (githedgehog/lab-ci env-ci-1.l, demo-gitops env-1, the docs' wiring and
VPC examples), with the switch fields hhfab adds on hydration where a running fabric has them; the pages of a whole
fabric show the project's demo fabric (deploy/dev/fabric/wiring.yaml).
"""
import csv
import io
import json
import re

import yaml
from core.models import ObjectType
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from users.models import ObjectPermission
from utilities.testing import TestCase, ViewTestCases, create_tags, post_data

from hedgehog_devtools.fabric import WIRING
from netbox_hedgehog import filtersets, forms
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    ExternalPeering,
    Fabric,
    Gateway,
    GatewayGroup,
    GatewayPeering,
    IPv4Namespace,
    Server,
    Switch,
    SwitchGroup,
    SwitchProfile,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)
from netbox_hedgehog.models.fabric import reveal_credential
from tests.loading import load_yaml
from tests.specs import create_surroundings, gateway_peering_spec

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: env-ci-1
  cluster:
    server: https://172.30.0.1:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
contexts:
- name: env-ci-1
  context: {cluster: env-ci-1, user: hedgehog-reader}
current-context: env-ci-1
users:
- name: hedgehog-reader
  user:
    token: kubeconfig-secret-token-4a7c2e
"""
BEARER_TOKEN = 'bearer-secret-token-9f3d1b'
GIT_TOKEN = 'git-secret-token-51c0aa'
GIT_SSH_KEY = (
    '-----BEGIN OPENSSH PRIVATE KEY-----\r\n'
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\r\n'
    'ssh-secret-body-7e21d4\r\n'
    '-----END OPENSSH PRIVATE KEY-----'
)
SECRETS = ('kubeconfig-secret-token-4a7c2e', BEARER_TOKEN, GIT_TOKEN, 'ssh-secret-body-7e21d4')


def switch_spec(number, role='server-leaf', **extra):
    """A hydrated lab-ci switch spec, the way hhfab writes it."""
    spec = {
        'role': role,
        'description': f'leaf-{number}',
        'profile': 'celestica-ds3000',
        'boot': {'serial': f'R4039F2B074C17GD30013{number}'},
        'portBreakouts': {'E1/1': '4x10G', 'E1/17': '4x25G'},
        'vlanNamespaces': ['default'],
        'asn': 65100 + number,
        'ip': f'172.30.0.{7 + number}/21',
        'protocolIP': f'172.30.8.{2 + number}/32',
        'vtepIP': f'172.30.12.{2 + number}/32',
    }
    spec.update(extra)
    return spec


def csv_lines(header, *rows):
    """CSV import data, one string per line; mappings are written as JSON (quoted by the csv module)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(header)
    for row in rows:
        writer.writerow([json.dumps(value) if isinstance(value, dict) else value for value in row])
    return tuple(out.getvalue().splitlines())


def field_errors(response, field):
    """The error text NetBox renders under one form field."""
    match = re.search(
        rf'id="id_{field}_errors"[^>]*>(.*?)</div>', response.content.decode(), flags=re.DOTALL
    )
    return match.group(1).strip() if match else ''


class HedgehogViewTestCases:
    """Bases of the plugin's view tests, nested so that pytest does not collect them on their own."""

    class PluginURLMixin:
        def _get_base_url(self):
            return f'plugins:{self.model._meta.app_label}:{self.model._meta.model_name}_{{}}'

    class ManifestExportMixin:
        def test_export_objects(self):
            # "Export all" gives the Kubernetes manifests, one YAML document per object; the table export is CSV.
            self.add_permissions(f'netbox_hedgehog.view_{self.model._meta.model_name}')
            url = self._get_url('list')
            response = self.client.get(f'{url}?export')
            self.assertHttpStatus(response, 200)
            self.assertEqual(response.get('Content-Type'), 'text/yaml')
            documents = list(yaml.safe_load_all(response.content))
            kind_spec = self.model.kind_spec()
            self.assertEqual(
                [(doc['apiVersion'], doc['kind'], doc['metadata']['name'], doc['spec']) for doc in documents],
                [(kind_spec.api_version, kind_spec.kind, obj.name, obj.spec) for obj in self._get_queryset()],
            )

            response = self.client.get(f'{url}?export=table')
            self.assertHttpStatus(response, 200)
            self.assertEqual(response.get('Content-Type'), 'text/csv; charset=utf-8')
            rows = list(csv.reader(io.StringIO(response.content.decode())))
            self.assertEqual(len(rows) - 1, self._get_queryset().count())

    class ResourceViewTestCase(PluginURLMixin, ManifestExportMixin, ViewTestCases.PrimaryObjectViewTestCase):
        """Every view of one writable Hedgehog kind.

        Subclasses give `existing` (three (name, spec) pairs created before each test), `new` (four more: the first
        for the add/edit form, the rest for the CSV import) and `derived`: the typed columns the form's spec must
        produce. The form posts its spec as YAML text, so the tests compare those typed columns (sent along with the
        form, which ignores them) instead of the raw text.
        """
        existing = ()
        new = ()
        derived = {}
        validation_excluded_fields = ['spec', 'labels', 'annotations']

        @classmethod
        def setUpTestData(cls):
            fabric = Fabric.objects.create(name='env-ci-1', write_mode='cluster')
            cls.tags = create_tags('Alpha', 'Bravo', 'Charlie')
            # The other objects their references name: the admission rules that span objects judge every edit.
            create_surroundings(fabric, cls.model)
            objects = [cls.model.objects.create(fabric=fabric, name=name, spec=spec) for name, spec in cls.existing]
            (form_name, form_spec), *imported = cls.new

            cls.form_data = {
                'fabric': fabric.pk,
                'name': form_name,
                'spec': yaml.safe_dump(form_spec, sort_keys=False),
                'labels': 'app.kubernetes.io/managed-by: netbox\n',
                'annotations': 'hhfab.githedgehog.com/note: "added in NetBox"\n',
                'tags': [tag.pk for tag in cls.tags],
                **cls.derived,
            }
            cls.csv_data = csv_lines(
                ('fabric', 'name', 'spec', 'labels'),
                *[(fabric.name, name, spec, {'env': 'ci'}) for name, spec in imported],
            )
            # Renamed within the 11 characters the webhooks allow the names of VPCs, IPv4Namespaces and Externals.
            cls.csv_update_data = csv_lines(
                ('id', 'name'),
                *[(obj.pk, f'r{index}-{obj.name}'[:11].rstrip('-.')) for index, obj in enumerate(objects)],
            )
            cls.bulk_edit_data = {'add_tags': [cls.tags[0]]}

        @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
        def test_bulk_edit_objects_with_constrained_permission(self):
            # Hedgehog objects take only tags in bulk, so the permission is constrained to untagged objects: tagging
            # them would take them out of it and is refused, and succeeds once every object is permitted.
            pk_list = list(self._get_queryset().values_list('pk', flat=True)[:3])
            data = {'pk': pk_list, '_apply': True, **post_data(self.bulk_edit_data)}
            obj_perm = ObjectPermission(
                name='Test permission', constraints={'tags__isnull': True}, actions=['view', 'change']
            )
            obj_perm.save()
            obj_perm.users.add(self.user)
            obj_perm.object_types.add(ObjectType.objects.get_for_model(self.model))

            self.assertHttpStatus(self.client.post(self._get_url('bulk_edit'), data), 200)
            self.assertFalse(self._get_queryset().filter(pk__in=pk_list, tags__isnull=False).exists())

            obj_perm.constraints = {'pk__gt': 0}
            obj_perm.save()
            self.assertHttpStatus(self.client.post(self._get_url('bulk_edit'), data), 302)
            self.assertEqual(self._get_queryset().filter(pk__in=pk_list, tags=self.tags[0]).count(), len(pk_list))

        @override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
        def test_csv_import_derives_typed_columns(self):
            self.add_permissions(f'netbox_hedgehog.add_{self.model._meta.model_name}')
            response = self.client.post(self._get_url('bulk_import'), {
                'data': '\n'.join(self.csv_data), 'format': 'csv', 'csv_delimiter': ',',
            })
            self.assertHttpStatus(response, 302)
            for name, spec in self.new[1:]:
                obj = self.model.objects.get(name=name)
                self.assertEqual(obj.spec, spec)
                self.assertEqual(obj.labels, {'env': 'ci'})
                self.assertEqual(
                    {field: getattr(obj, field) for field in self.model.kind_spec().typed_fields(spec)},
                    self.model.kind_spec().typed_fields(spec),
                )


#
# Fabrics
#

class FabricViewTest(HedgehogViewTestCases.PluginURLMixin, ViewTestCases.PrimaryObjectViewTestCase):
    model = Fabric

    @classmethod
    def setUpTestData(cls):
        tags = create_tags('Alpha', 'Bravo', 'Charlie')
        fabrics = (
            Fabric(name='env-ci-1', kubernetes_server='https://172.30.0.1:6443'),
            Fabric(name='env-ci-2', kubernetes_server='https://172.31.0.1:6443'),
            Fabric(name='demo', status='planned'),
        )
        for fabric in fabrics:
            fabric.save()
        cls.form_data = {
            'name': 'env-lab-3',
            'status': 'planned',
            'description': 'Third lab',
            'kubernetes_server': 'https://10.0.3.1:6443',
            'kubernetes_namespace': 'default',
            'kubernetes_ca_cert': '',
            'verify_tls': True,
            'git_url': 'https://git.example.com/fabric/env-lab-3.git',
            'git_branch': 'main',
            'git_path': 'env-1',
            'git_author_name': 'NetBox Hedgehog',
            'git_author_email': 'netbox@example.com',
            # Turning scheduled sync on needs the sync permission, which these generic tests do not grant.
            'sync_enabled': False,
            'sync_interval': 600,
            'comments': 'Rack 3',
            'tags': [tag.pk for tag in tags],
        }
        cls.csv_data = (
            'name,status,kubernetes_server,git_url,sync_enabled,sync_interval',
            'env-4,active,https://10.0.4.1:6443,https://git.example.com/env-4.git,false,300',
            'env-5,planned,https://10.0.5.1:6443,,false,900',
            'env-6,maintenance,,,false,3600',
        )
        cls.csv_update_data = (
            'id,description,sync_interval',
            f'{fabrics[0].pk},Rack 1,120',
            f'{fabrics[1].pk},Rack 2,240',
        )
        cls.bulk_edit_data = {
            'status': 'maintenance',
            'description': 'Maintenance window',
            'sync_enabled': False,
            'sync_interval': 900,
            'verify_tls': False,
        }


class FabricPageTest(TestCase):
    user_permissions = ['netbox_hedgehog.view_fabric']

    @classmethod
    def setUpTestData(cls):
        cls.fabric = Fabric.objects.create(name='env-ci-1', write_mode='cluster')
        load_yaml(cls.fabric, WIRING.read_text(), source=WIRING.name)
        other = Fabric.objects.create(name='env-ci-2', write_mode='cluster')
        Switch.objects.create(fabric=other, name='ds5000-01', spec=switch_spec(1))

    def test_object_counts_link_to_filtered_lists(self):
        # Every kind is listed, also those the fabric has none of; the user may view every kind.
        self.add_permissions(*[f'netbox_hedgehog.view_{model._meta.model_name}' for model in (
            Switch, SwitchGroup, SwitchProfile, Server, Connection, VLANNamespace, IPv4Namespace, VPC,
            VPCAttachment, VPCPeering, External, ExternalAttachment, ExternalPeering, Gateway, GatewayGroup,
        )])
        response = self.client.get(self.fabric.get_absolute_url())
        self.assertHttpStatus(response, 200)
        content = response.content.decode()
        # The demo wiring: 6 switches, 2 switch groups, 8 servers, 18 connections, 2 externals, 3 attachments.
        expected = {
            'switch': ('Switches', 6), 'switchgroup': ('Switch Groups', 2), 'switchprofile': ('Switch Profiles', 0),
            'server': ('Servers', 8), 'connection': ('Connections', 18), 'vlannamespace': ('VLAN Namespaces', 1),
            'ipv4namespace': ('IPv4 Namespaces', 1), 'vpc': ('VPCs', 0), 'vpcattachment': ('VPC Attachments', 0),
            'vpcpeering': ('VPC Peerings', 0), 'external': ('Externals', 2),
            'externalattachment': ('External Attachments', 3), 'externalpeering': ('External Peerings', 0),
            'gateway': ('Gateways', 0), 'gatewaygroup': ('Gateway Groups', 0),
        }
        for model_name, (label, count) in expected.items():
            with self.subTest(kind=model_name):
                url = f'{reverse(f"plugins:netbox_hedgehog:{model_name}_list")}?fabric_id={self.fabric.pk}'
                badge = str(count) if count else '&mdash;'
                self.assertRegex(
                    content, rf'<a href="{re.escape(url)}"[^>]*>\s*{re.escape(label)}\s*<span class="badge[^"]*">'
                             rf'{badge}</span>',
                )

        # Following the link lists this fabric's switches only.
        response = self.client.get(f'{reverse("plugins:netbox_hedgehog:switch_list")}?fabric_id={self.fabric.pk}')
        self.assertContains(response, 'leaf-01')
        self.assertNotContains(response, 'ds5000-01')

    def test_counts_respect_view_permissions(self):
        # Without permission to view connections, the page does not reveal how many there are.
        self.add_permissions('netbox_hedgehog.view_switch')
        content = self.client.get(self.fabric.get_absolute_url()).content.decode()
        switches = f'{reverse("plugins:netbox_hedgehog:switch_list")}?fabric_id={self.fabric.pk}'
        connections = f'{reverse("plugins:netbox_hedgehog:connection_list")}?fabric_id={self.fabric.pk}'
        self.assertRegex(content, rf'{re.escape(switches)}"[^>]*>\s*Switches\s*<span class="badge[^"]*">6</span>')
        self.assertRegex(content, rf'{re.escape(connections)}"[^>]*>\s*Connections\s*<span class="badge[^"]*">'
                                  rf'&mdash;</span>')

    def test_page_shows_connection_and_sync_state_without_credentials(self):
        self.fabric.kubernetes_server = 'https://172.30.0.1:6443'
        self.fabric.kubernetes_token = BEARER_TOKEN
        self.fabric.git_url = 'https://git.example.com/env-ci-1.git'
        self.fabric.git_token = GIT_TOKEN
        self.fabric.save()
        content = self.client.get(self.fabric.get_absolute_url()).content.decode()
        for heading in ('Kubernetes', 'Git', 'Sync', 'Objects'):
            self.assertRegex(content, rf'<h2 class="card-header">\s*{heading}\s*<')
        self.assertIn('https://172.30.0.1:6443', content)
        self.assertIn('Never synced', content)
        self.assertRegex(content, r'Bearer token stored</th>\s*<td>\s*<div[^>]*>\s*<i class="mdi mdi-check-bold')
        self.assertRegex(content, r'Kubeconfig stored</th>\s*<td>\s*<div[^>]*>\s*<i class="mdi mdi-close-thick')
        for secret in (BEARER_TOKEN, GIT_TOKEN):
            self.assertNotIn(secret, content)


class FabricCredentialTest(TestCase):
    user_permissions = ['netbox_hedgehog.add_fabric', 'netbox_hedgehog.change_fabric', 'netbox_hedgehog.view_fabric']

    def add_fabric(self, **data):
        return self.client.post(reverse('plugins:netbox_hedgehog:fabric_add'), {
            'name': 'env-ci-1', 'status': 'active', 'kubernetes_namespace': 'default', 'git_branch': 'main',
            'git_author_name': 'NetBox Hedgehog', 'git_author_email': 'netbox@example.com', 'sync_interval': 300,
            **data,
        })

    def edit_data(self, fabric, **data):
        return {
            'name': fabric.name, 'status': fabric.status, 'kubernetes_server': fabric.kubernetes_server,
            'kubernetes_namespace': fabric.kubernetes_namespace, 'verify_tls': True, 'git_url': fabric.git_url,
            'git_branch': fabric.git_branch, 'git_author_name': fabric.git_author_name,
            'git_author_email': fabric.git_author_email, 'sync_interval': fabric.sync_interval, **data,
        }

    def test_credentials_are_stored_but_never_shown(self):
        response = self.add_fabric(
            kubernetes_server='https://172.30.0.1:6443', kubeconfig=KUBECONFIG, kubernetes_token=BEARER_TOKEN,
            git_url='ssh://git@git.example.com/fabric.git', git_token=GIT_TOKEN, git_ssh_key=GIT_SSH_KEY,
        )
        self.assertHttpStatus(response, 302)
        fabric = Fabric.objects.get(name='env-ci-1')
        self.assertTrue(fabric.has_kubeconfig and fabric.has_kubernetes_token)
        self.assertTrue(fabric.has_git_token and fabric.has_git_ssh_key)
        self.assertEqual(reveal_credential(fabric, 'kubeconfig'), KUBECONFIG.strip())
        self.assertEqual(reveal_credential(fabric, 'kubernetes_token'), BEARER_TOKEN)
        self.assertEqual(reveal_credential(fabric, 'git_token'), GIT_TOKEN)
        # The key is stored as OpenSSH reads it: LF line ends and a final newline.
        self.assertEqual(reveal_credential(fabric, 'git_ssh_key'), GIT_SSH_KEY.replace('\r\n', '\n') + '\n')
        for secret in SECRETS:
            self.assertNotIn(secret, fabric.kubeconfig_encrypted + fabric.git_token_encrypted)

        edit_page = self.client.get(reverse('plugins:netbox_hedgehog:fabric_edit', args=[fabric.pk]))
        self.assertContains(edit_page, 'A kubeconfig is stored; leave empty to keep it.')
        self.assertContains(edit_page, 'A Git SSH key is stored; leave empty to keep it.')
        self.assertContains(edit_page, 'name="clear_kubeconfig"')
        detail_page = self.client.get(fabric.get_absolute_url())
        changelog_page = self.client.get(reverse('plugins:netbox_hedgehog:fabric_changelog', args=[fabric.pk]))
        for page in (edit_page, detail_page, changelog_page):
            self.assertHttpStatus(page, 200)
            for secret in SECRETS:
                self.assertNotContains(page, secret)

    def test_empty_input_keeps_and_clear_removes(self):
        self.add_fabric(kubeconfig=KUBECONFIG, git_url='https://git.example.com/f.git', git_token=GIT_TOKEN)
        fabric = Fabric.objects.get(name='env-ci-1')
        url = reverse('plugins:netbox_hedgehog:fabric_edit', args=[fabric.pk])

        self.assertHttpStatus(self.client.post(url, self.edit_data(fabric, description='kept')), 302)
        fabric.refresh_from_db()
        self.assertEqual(
            (fabric.description, reveal_credential(fabric, 'kubeconfig'), reveal_credential(fabric, 'git_token')),
            ('kept', KUBECONFIG.strip(), GIT_TOKEN),
        )

        self.assertHttpStatus(self.client.post(url, self.edit_data(fabric, clear_git_token='on')), 302)
        fabric.refresh_from_db()
        self.assertFalse(fabric.has_git_token)
        self.assertTrue(fabric.has_kubeconfig)
        self.assertNotContains(self.client.get(url), 'name="clear_git_token"')

    def test_new_value_and_clear_together_is_refused(self):
        self.add_fabric(git_url='https://git.example.com/f.git', git_token=GIT_TOKEN)
        fabric = Fabric.objects.get(name='env-ci-1')
        response = self.client.post(
            reverse('plugins:netbox_hedgehog:fabric_edit', args=[fabric.pk]),
            self.edit_data(fabric, git_token='another-token', clear_git_token='on'),
        )
        self.assertHttpStatus(response, 200)
        self.assertIn('Enter a new Git token or remove the stored one, not both.', field_errors(response, 'git_token'))
        fabric.refresh_from_db()
        self.assertEqual(reveal_credential(fabric, 'git_token'), GIT_TOKEN)

    def test_invalid_credentials_are_refused_without_echo(self):
        response = self.add_fabric(kubeconfig='clusters: [\n  - name: x\n', git_ssh_key='ssh-ed25519 AAAAC3Nz public')
        self.assertHttpStatus(response, 200)
        self.assertIn('The kubeconfig is not valid YAML at line 2', field_errors(response, 'kubeconfig'))
        self.assertIn('Paste the private key', field_errors(response, 'git_ssh_key'))
        self.assertNotContains(response, 'AAAAC3Nz')
        self.assertFalse(Fabric.objects.exists())

        response = self.add_fabric(kubeconfig='apiVersion: v1\nkind: Config\n')
        self.assertIn('This is not a kubeconfig', field_errors(response, 'kubeconfig'))

    def test_model_validation_shows_on_its_field(self):
        # A token without an API server URL, and an interval below the plugin's minimum (60 s by default).
        response = self.add_fabric(kubernetes_token=BEARER_TOKEN, sync_interval=10)
        self.assertHttpStatus(response, 200)
        self.assertIn('at least 60 seconds', field_errors(response, 'sync_interval'))
        response = self.add_fabric(kubernetes_token=BEARER_TOKEN)
        self.assertIn('A bearer token needs the API server URL', field_errors(response, 'kubernetes_server'))
        self.assertFalse(Fabric.objects.exists())


#
# Hedgehog objects
#

class VLANNamespaceViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = VLANNamespace
    existing = (
        ('default', {'ranges': [{'from': 1000, 'to': 2999}]}),
        ('lab', {'ranges': [{'from': 100, 'to': 199}, {'from': 300}]}),
        ('tenant-a', {'ranges': [{'from': 2000, 'to': 2099}]}),
    )
    new = (
        ('tenant-b', {'ranges': [{'from': 2100, 'to': 2199}]}),
        ('tenant-c', {'ranges': [{'from': 2200, 'to': 2299}]}),
        ('tenant-d', {'ranges': [{'from': 2300}]}),
        ('tenant-e', {'ranges': [{'from': 1, 'to': 99}]}),
    )


class SwitchGroupViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = SwitchGroup
    existing = (('eslag-1', {}), ('eslag-2', {}), ('border', {}))
    new = (('eslag-3', {}), ('eslag-4', {}), ('mclag-1', {}), ('spines', {}))


class SwitchViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = Switch
    existing = (
        ('ds3000-01', switch_spec(1, groups=['eslag-2'], redundancy={'group': 'eslag-2', 'type': 'eslag'})),
        ('ds3000-02', switch_spec(2, groups=['eslag-2'], redundancy={'group': 'eslag-2', 'type': 'eslag'})),
        ('ds4000-01', switch_spec(0, role='spine', vtepIP=None, asn=65100)),
    )
    new = (
        ('ds3000-03', switch_spec(3, groups=['border', 'eslag-1'])),
        ('sse-c4632-01', switch_spec(4, profile='supermicro-sse-c4632sb')),
        ('ds4000-02', switch_spec(9, role='spine', vtepIP=None, asn=65100)),
        ('ds5000-01', switch_spec(5, role='border-leaf')),
    )
    derived = {'role': 'server-leaf', 'asn': 65103, 'profile': 'celestica-ds3000', 'ip': '172.30.0.10/21'}


class ServerViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = Server
    existing = (('server-1', {}), ('server-2', {'description': 'rack 2'}), ('server-3', {}))
    new = (
        ('server-5', {'description': 'GPU node'}),
        ('server-6', {}),
        ('server-7', {'description': 'storage'}),
        ('server-8', {}),
    )
    derived = {'description': 'GPU node'}


class ConnectionViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = Connection
    existing = (
        ('server-1--eslag--ds3000-01--ds3000-02', {'eslag': {'links': [
            {'server': {'port': 'server-1/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/1/2'}},
            {'server': {'port': 'server-1/enp2s2'}, 'switch': {'port': 'ds3000-02/E1/1/2'}},
        ]}}),
        ('ds4000-01--fabric--ds3000-01', {'fabric': {'links': [
            {'spine': {'port': 'ds4000-01/E1/1', 'ip': '172.30.128.0/31'},
             'leaf': {'port': 'ds3000-01/E1/28', 'ip': '172.30.128.1/31'}},
        ]}}),
        ('ds3000-01--external--ds2000-02', {'external': {'link': {'switch': {'port': 'ds3000-01/E1/1/1'}}}}),
    )
    new = (
        ('server-7--unbundled--ds3000-03', {'unbundled': {'link': {
            'server': {'port': 'server-7/enp2s1'}, 'switch': {'port': 'ds3000-03/E1/2/1'},
        }}}),
        ('server-3--bundled--ds3000-01', {'bundled': {'links': [
            {'server': {'port': 'server-3/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/2/1'}},
            {'server': {'port': 'server-3/enp2s2'}, 'switch': {'port': 'ds3000-01/E1/2/2'}},
        ]}}),
        ('ds3000-01--vpc-loopback', {'vpcLoopback': {'links': [
            {'switch1': {'port': 'ds3000-01/E1/18/3'}, 'switch2': {'port': 'ds3000-01/E1/18/4'}},
        ]}}),
        ('ds4000-01--gateway--gateway-1', {'gateway': {'links': [
            {'gateway': {'port': 'gateway-1/enp2s1np0'}, 'switch': {'port': 'ds4000-01/E1/20/1'}},
        ]}}),
    )
    derived = {'connection_type': 'unbundled', 'link_count': 1}


class IPv4NamespaceViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = IPv4Namespace
    existing = (
        ('default', {'subnets': ['10.0.0.0/16']}),
        ('lab', {'subnets': ['10.20.0.0/16']}),
        ('tenant-a', {'subnets': ['10.30.0.0/16', '10.31.0.0/16']}),
    )
    new = (
        ('tenant-b', {'subnets': ['10.40.0.0/16']}),
        ('tenant-c', {'subnets': ['10.50.0.0/16']}),
        ('tenant-d', {'subnets': ['10.60.0.0/16']}),
        ('tenant-e', {'subnets': ['10.70.0.0/16']}),
    )


def vpc_spec(octet, vlan):
    return {'subnets': {'default': {'subnet': f'10.0.{octet}.0/24', 'vlan': vlan}}}


class VPCViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = VPC
    existing = (('vpc-1', vpc_spec(1, 1001)), ('vpc-2', vpc_spec(2, 1002)), ('demo-vpc-3', {'subnets': {
        'subnet-1': {'subnet': '10.10.131.0/24', 'gateway': '10.10.131.1', 'vlan': 1131},
        'subnet-2': {'subnet': '10.10.132.0/24', 'vlan': 1132, 'isolated': True},
    }, 'permit': [['subnet-1', 'subnet-2']]}))
    new = (
        ('vpc-4', {'mode': 'l3vni', **vpc_spec(4, 1004), 'ipv4Namespace': 'tenant-a'}),
        ('vpc-5', vpc_spec(5, 1005)),
        ('vpc-6', vpc_spec(6, 1006)),
        ('vpc-7', vpc_spec(7, 1007)),
    )
    derived = {'mode': 'l3vni', 'ipv4_namespace': 'tenant-a', 'vlan_namespace': 'default'}


class VPCAttachmentViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = VPCAttachment
    existing = (
        ('vpc-1--server-1', {'connection': 'server-1--eslag--ds3000-01--ds3000-02', 'subnet': 'vpc-1/default'}),
        ('vpc-2--server-2', {'connection': 'server-2--eslag--ds3000-01--ds3000-02', 'subnet': 'vpc-2/default'}),
        ('demo-vpc-3--server-3--bundled--ds3000-01', {'connection': 'server-3--bundled--ds3000-01',
                                                      'subnet': 'demo-vpc-3/subnet-1'}),
    )
    new = (
        ('vpc-1--server-5', {'connection': 'server-5--eslag--ds3000-03--sse-c4632-01', 'subnet': 'vpc-1/default',
                             'nativeVLAN': True}),
        ('vpc-2--server-6', {'connection': 'server-6--eslag--ds3000-03--sse-c4632-01', 'subnet': 'vpc-2'}),
        ('vpc-1--server-7', {'connection': 'server-7--unbundled--ds3000-03', 'subnet': 'vpc-1/default'}),
        ('vpc-1--server-8', {'connection': 'server-8--unbundled--ds3000-03', 'subnet': 'vpc-1/default'}),
    )
    derived = {'vpc': 'vpc-1', 'subnet': 'default', 'connection': 'server-5--eslag--ds3000-03--sse-c4632-01',
               'native_vlan': True}


class VPCPeeringViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = VPCPeering
    existing = (
        ('vpc-1--vpc-2', {'permit': [{'vpc-1': {}, 'vpc-2': {}}]}),
        ('demo-vpc-1--demo-vpc-2', {'permit': [{'demo-vpc-1': {'subnets': ['default']},
                                                'demo-vpc-2': {'subnets': ['default']}}]}),
        ('vpc-2--vpc-3', {'permit': [{'vpc-2': {}, 'vpc-3': {}}]}),
    )
    new = (
        ('vpc-1--vpc-3', {'permit': [{'vpc-1': {}, 'vpc-3': {}}]}),
        ('vpc-3--vpc-4', {'permit': [{'vpc-3': {}, 'vpc-4': {}}]}),
        ('vpc-4--vpc-5', {'permit': [{'vpc-4': {}, 'vpc-5': {}}]}),
        ('vpc-5--vpc-6', {'permit': [{'vpc-5': {}, 'vpc-6': {}}]}),
    )


class ExternalViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = External
    existing = (
        ('default', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:3001', 'outboundCommunity': '3001:65101'}),
        ('other', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:4001', 'outboundCommunity': '4001:65101'}),
        ('static-ext', {'ipv4Namespace': 'default', 'static': {'prefixes': ['0.0.0.0/0']}}),
    )
    new = (
        ('isp-1', {'ipv4Namespace': 'default', 'inboundCommunity': '65102:5000', 'outboundCommunity': '5000:65102'}),
        ('isp-2', {'ipv4Namespace': 'default', 'inboundCommunity': '65102:6000', 'outboundCommunity': '6000:65102'}),
        ('static-2', {'static': {'prefixes': ['192.168.0.0/16']}}),
        ('isp-3', {'inboundCommunity': '65102:7000', 'outboundCommunity': '7000:65102'}),
    )
    derived = {'external_type': 'bgp', 'inbound_community': '65102:5000', 'ipv4_namespace': 'default'}


def attachment_spec(external, connection, vlan, octet):
    return {
        'external': external, 'connection': connection,
        'switch': {'vlan': vlan, 'ip': f'100.{octet}.{vlan}.2/24'},
        'neighbor': {'asn': 64102, 'ip': f'100.{octet}.{vlan}.6'},
    }


class ExternalAttachmentViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = ExternalAttachment
    existing = (
        ('ds3000-03--default', attachment_spec('default', 'ds3000-03--external--ds2000-02', 100, 6)),
        ('sse-c4632-01--default', attachment_spec('default', 'sse-c4632-01--external--ds2000-02', 100, 8)),
        ('ds3000-03--other', attachment_spec('other', 'ds3000-03--external--ds2000-02', 200, 6)),
    )
    new = (
        ('sse-c4632-01--other', attachment_spec('other', 'sse-c4632-01--external--ds2000-02', 200, 8)),
        ('ds3000-01--default', attachment_spec('default', 'ds3000-01--external--ds2000-02', 100, 2)),
        ('ds3000-02--default', attachment_spec('default', 'ds3000-02--external--ds2000-02', 100, 4)),
        ('ds3000-03--static-ext', {'external': 'static-ext', 'connection': 'ds3000-03--external--ds2000-02',
                                   'static': {'vlan': 300, 'ip': '100.6.30.2/24', 'remoteIP': '100.6.30.6'}}),
    )
    derived = {'external': 'other', 'vlan': 200, 'switch_ip': '100.8.200.2/24', 'neighbor_asn': 64102,
               'neighbor_ip': '100.8.200.6', 'external_type': 'bgp'}


def external_peering_spec(vpc, external, prefix='0.0.0.0/0'):
    return {'permit': {'vpc': {'name': vpc, 'subnets': ['default']},
                       'external': {'name': external, 'prefixes': [{'prefix': prefix}]}}}


class ExternalPeeringViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = ExternalPeering
    existing = (
        ('demo-vpc-1--default', external_peering_spec('demo-vpc-1', 'default')),
        ('vpc-1--other', external_peering_spec('vpc-1', 'other', '10.99.0.0/16')),
        ('vpc-2--default', external_peering_spec('vpc-2', 'default')),
    )
    new = (
        ('vpc-3--default', external_peering_spec('vpc-3', 'default')),
        ('vpc-4--default', external_peering_spec('vpc-4', 'default')),
        ('vpc-5--other', external_peering_spec('vpc-5', 'other')),
        ('vpc-6--other', external_peering_spec('vpc-6', 'other')),
    )
    derived = {'vpc': 'vpc-3', 'external': 'default'}


class GatewayGroupViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = GatewayGroup
    existing = (('default', {}), ('edge', {}), ('backup', {}))
    new = (('edge-2', {}), ('edge-3', {}), ('edge-4', {}), ('edge-5', {}))


def gateway_spec(number, interface):
    return {'asn': 65534, 'protocolIP': f'172.30.8.{100 + number}/32', 'vtepIP': f'172.30.12.{100 + number}/32',
            'vtepMAC': f'ca:fe:ba:be:00:{number:02x}', 'interfaces': {interface: {'ips': [f'172.30.128.{number}/31']}},
            'neighbors': [{'source': interface, 'ip': '172.30.128.0', 'asn': 65100}],
            'workers': 16, 'groups': [{'name': 'default', 'priority': number}]}


class GatewayViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = Gateway
    existing = (
        ('gateway-1', gateway_spec(1, 'enp2s1np0')),
        ('gateway-2', gateway_spec(2, 'enp2s1np1')),
        ('gateway-3', gateway_spec(3, 'enp2s1np0')),
    )
    new = (
        ('gateway-4', gateway_spec(4, 'enp2s1np0')),
        ('gateway-5', gateway_spec(5, 'enp2s1np0')),
        ('gateway-6', gateway_spec(6, 'enp2s1np0')),
        ('gateway-7', gateway_spec(7, 'enp2s1np0')),
    )
    derived = {'asn': 65534, 'protocol_ip': '172.30.8.104/32', 'vtep_ip': '172.30.12.104/32', 'workers': 16}


class GatewayPeeringViewTest(HedgehogViewTestCases.ResourceViewTestCase):
    model = GatewayPeering
    existing = (
        ('vpc-1--vpc-2', gateway_peering_spec('vpc-1', 'vpc-2', '10.0.1.0/24', '10.0.2.0/24')),
        ('vpc-1--vpc-3', gateway_peering_spec('vpc-1', 'vpc-3', '10.0.1.0/24', '10.0.3.0/24')),
        ('vpc-2--vpc-3', gateway_peering_spec('vpc-2', 'vpc-3', '10.0.2.0/24', '10.0.3.0/24')),
    )
    new = (
        ('vpc-4--vpc-5', gateway_peering_spec('vpc-4', 'vpc-5', '10.0.4.0/24', '10.0.5.0/24', 'edge')),
        ('vpc-4--vpc-6', gateway_peering_spec('vpc-4', 'vpc-6', '10.0.4.0/24', '10.0.6.0/24')),
        ('vpc-5--vpc-6', gateway_peering_spec('vpc-5', 'vpc-6', '10.0.5.0/24', '10.0.6.0/24')),
        ('vpc-4--ext-1', gateway_peering_spec('vpc-4', 'ext.ext-1', '10.0.4.0/24', '172.16.0.0/12')),
    )
    derived = {'gateway_group': 'edge'}


class SwitchProfileViewTest(
    HedgehogViewTestCases.PluginURLMixin,
    HedgehogViewTestCases.ManifestExportMixin,
    ViewTestCases.GetObjectViewTestCase,
    ViewTestCases.ListObjectsViewTestCase,
):
    model = SwitchProfile

    @classmethod
    def setUpTestData(cls):
        fabric = Fabric.objects.create(name='env-ci-1', write_mode='cluster')
        for name, display_name in (('celestica-ds3000', 'Celestica DS3000'), ('dell-s5248f-on', 'Dell S5248F-ON')):
            SwitchProfile.objects.create(fabric=fabric, name=name, spec={
                'displayName': display_name, 'switchSilicon': 'Broadcom Trident3 X7', 'nosType': 'sonic-bcm-base',
                'ports': {'E1/1': {'nos': 'Ethernet0'}, 'E1/2': {'nos': 'Ethernet4'}},
            })

    def test_read_only_in_netbox(self):
        self.add_permissions(*[f'netbox_hedgehog.{action}_switchprofile' for action in ('view', 'add', 'change',
                                                                                          'delete')])
        self.add_permissions('netbox_hedgehog.view_switch', 'netbox_hedgehog.add_switch',
                             'netbox_hedgehog.change_switch', 'netbox_hedgehog.delete_switch')
        button = re.compile(r'<i class="mdi mdi-(pencil|trash-can-outline|plus-thick|upload)" aria-hidden="true"></i>'
                            r'\s*(Edit|Delete|Add|Import|Edit Selected|Delete Selected)\s*</')
        # The same user gets every button on switches ...
        switches = self.client.get(reverse('plugins:netbox_hedgehog:switch_list')).content.decode()
        self.assertLessEqual({'Add', 'Import'}, {label for _icon, label in button.findall(switches)})

        # ... and none on switch profiles.
        profile = SwitchProfile.objects.get(name='celestica-ds3000')
        detail = self.client.get(profile.get_absolute_url())
        self.assertContains(detail, 'Celestica DS3000')
        self.assertContains(detail, 'sonic-bcm-base')
        listing = self.client.get(reverse('plugins:netbox_hedgehog:switchprofile_list'))
        self.assertContains(listing, 'Dell S5248F-ON')
        for page in (detail, listing):
            self.assertEqual(button.findall(page.content.decode()), [])
        for action in ('add', 'bulk_import', 'bulk_edit', 'bulk_delete'):
            with self.assertRaises(NoReverseMatch):
                reverse(f'plugins:netbox_hedgehog:switchprofile_{action}')
        with self.assertRaises(NoReverseMatch):
            reverse('plugins:netbox_hedgehog:switchprofile_edit', args=[profile.pk])


#
# What the forms and pages show
#

class SpecEditingTest(TestCase):
    user_permissions = [
        'netbox_hedgehog.view_fabric',
        *[f'netbox_hedgehog.{action}_{model}' for action in ('view', 'add', 'change') for model in ('switch',
                                                                                                 'connection')],
    ]

    @classmethod
    def setUpTestData(cls):
        cls.fabric = Fabric.objects.create(name='env-ci-1', write_mode='cluster')
        create_surroundings(cls.fabric, Switch, Connection)

    def post_switch(self, spec_text, url=None, name='ds3000-01'):
        return self.client.post(url or reverse('plugins:netbox_hedgehog:switch_add'), {
            'fabric': self.fabric.pk, 'name': name, 'spec': spec_text, 'labels': '', 'annotations': '',
        })

    def test_invalid_spec_shows_model_error_on_spec_field(self):
        response = self.post_switch('role: server-leaf\nasn: abc\n')
        self.assertHttpStatus(response, 200)
        self.assertIn('spec.asn: expected an integer', field_errors(response, 'spec'))
        # What was typed is shown again for correction.
        self.assertContains(response, 'asn: abc')

        response = self.client.post(reverse('plugins:netbox_hedgehog:connection_add'), {
            'fabric': self.fabric.pk, 'name': 'server-1--unbundled--leaf-01',
            'spec': 'unbundled:\n  link:\n    server: {port: server-1/enp2s1}\n    switch: {port: leaf-01-E1-1}\n',
        })
        self.assertHttpStatus(response, 200)
        self.assertIn('spec.unbundled.link.switch.port', field_errors(response, 'spec'))
        self.assertIn('does not parse', field_errors(response, 'spec'))
        self.assertFalse(Switch.objects.exists() or Connection.objects.exists())

    def test_yaml_errors_name_the_line(self):
        response = self.post_switch('role: server-leaf\nprofile: [vs\nasn: 65101\n')
        self.assertHttpStatus(response, 200)
        self.assertRegex(field_errors(response, 'spec'), r'Invalid YAML on line \d+, column \d+')

        response = self.post_switch('- role: server-leaf\n')
        self.assertIn('Expected a mapping of keys to values', field_errors(response, 'spec'))
        self.assertIn('a list', field_errors(response, 'spec'))
        self.assertFalse(Switch.objects.exists())

    def test_labels_must_map_strings_to_strings(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:switch_add'), {
            'fabric': self.fabric.pk, 'name': 'ds3000-01', 'spec': 'role: spine\n', 'labels': 'rack: 7\n',
        })
        self.assertHttpStatus(response, 200)
        self.assertIn('Invalid label: the value of &#x27;rack&#x27; must be a string', field_errors(response, 'labels'))
        self.assertFalse(Switch.objects.exists())

    def test_json_spec_is_accepted(self):
        spec = switch_spec(1)
        self.assertHttpStatus(self.post_switch(json.dumps(spec)), 302)
        self.assertEqual(Switch.objects.get(name='ds3000-01').spec, spec)

    def test_yaml_import_takes_specs_as_mappings(self):
        records = [
            {'fabric': 'env-ci-1', 'name': 'ds3000-01', 'spec': switch_spec(1), 'labels': {'rack': 'r1'}},
            {'fabric': 'env-ci-1', 'name': 'ds4000-01', 'spec': switch_spec(0, role='spine', vtepIP=None, asn=65100)},
        ]
        response = self.client.post(reverse('plugins:netbox_hedgehog:switch_bulk_import'), {
            'data': yaml.safe_dump(records), 'format': 'yaml', 'csv_delimiter': ',',
        })
        self.assertHttpStatus(response, 302)
        self.assertEqual(
            list(Switch.objects.order_by('name').values_list('name', 'role', 'asn', 'labels')),
            [('ds3000-01', 'server-leaf', 65101, {'rack': 'r1'}), ('ds4000-01', 'spine', 65100, {})],
        )

        # A spec that is not a mapping is refused, and nothing of the import is written.
        records = [{'fabric': 'env-ci-1', 'name': 'ds3000-02', 'spec': ['role', 'server-leaf']}]
        response = self.client.post(reverse('plugins:netbox_hedgehog:switch_bulk_import'), {
            'data': yaml.safe_dump(records), 'format': 'yaml', 'csv_delimiter': ',',
        })
        self.assertHttpStatus(response, 200)
        self.assertContains(response, 'Expected a mapping of keys to values')
        self.assertEqual(Switch.objects.count(), 2)

    def test_yaml_spec_round_trips_through_the_edit_form(self):
        spec = switch_spec(1, groups=['eslag-2'], redundancy={'group': 'eslag-2', 'type': 'eslag'})
        switch = Switch.objects.create(fabric=self.fabric, name='ds3000-01', spec=spec,
                                       labels={'rack': 'r1'}, annotations={'type.hhfab.githedgehog.com': 'hw'})
        url = reverse('plugins:netbox_hedgehog:switch_edit', args=[switch.pk])
        response = self.client.get(url)
        shown = response.context['form']['spec'].value()
        # Block-style YAML (not JSON, no flow-style braces), keys in the order the database returns them.
        switch.refresh_from_db()
        self.assertEqual(shown, yaml.safe_dump(switch.spec, sort_keys=False, default_flow_style=False))
        self.assertNotIn('{', shown)
        self.assertIn('\nredundancy:\n', shown)
        self.assertIn('\n  group: eslag-2\n', shown)
        self.assertIn('\nportBreakouts:\n  E1/1: 4x10G\n', shown)
        self.assertContains(response, 'role: server-leaf\n')
        self.assertContains(response, 'type.hhfab.githedgehog.com: hw')

        form = response.context['form']
        data = {name: form[name].value() for name in ('fabric', 'name', 'spec', 'labels', 'annotations')}
        self.assertHttpStatus(self.client.post(url, data), 302)
        switch.refresh_from_db()
        self.assertEqual(switch.spec, spec)
        self.assertEqual(switch.labels, {'rack': 'r1'})
        self.assertEqual(switch.annotations, {'type.hhfab.githedgehog.com': 'hw'})

        data['spec'] = shown.replace('asn: 65101', 'asn: 65111')
        self.assertHttpStatus(self.client.post(url, data), 302)
        switch.refresh_from_db()
        self.assertEqual((switch.asn, switch.spec['asn']), (65111, 65111))


class ResourcePageTest(TestCase):
    """Detail pages of objects loaded from the demo fabric's wiring."""
    user_permissions = [
        f'netbox_hedgehog.view_{model}' for model in ('switch', 'switchgroup', 'switchprofile', 'server',
                                                      'connection', 'vlannamespace', 'external',
                                                      'externalattachment')
    ]

    @classmethod
    def setUpTestData(cls):
        cls.fabric = Fabric.objects.create(name='env-ci-1', write_mode='cluster')
        load_yaml(cls.fabric, WIRING.read_text(), source=WIRING.name)
        cls.profile = SwitchProfile.objects.create(fabric=cls.fabric, name='dell-s5248f-on',
                                                   spec={'displayName': 'Dell S5248F-ON'})
        # A switch group of the same name in another fabric must not be linked.
        other = Fabric.objects.create(name='env-ci-2', write_mode='cluster')
        SwitchGroup.objects.create(fabric=other, name='eslag-1')

    def test_switch_links_references_in_its_fabric(self):
        switch = Switch.objects.get(fabric=self.fabric, name='leaf-02')
        content = self.client.get(switch.get_absolute_url()).content.decode()
        group = SwitchGroup.objects.get(fabric=self.fabric, name='eslag-1')
        self.assertIn(f'<a href="{self.profile.get_absolute_url()}">dell-s5248f-on</a>', content)
        self.assertRegex(content, rf'Groups</th>\s*<td>\s*<div[^>]*>\s*<span><a href="{group.get_absolute_url()}">'
                                  rf'eslag-1</a></span>')
        self.assertRegex(content, rf'Redundancy group</th>\s*<td>\s*<div[^>]*>\s*<span><a href="'
                                  rf'{group.get_absolute_url()}">eslag-1</a></span>')
        # Identity, metadata and the manifest
        self.assertIn('server-leaf', content)
        self.assertIn('type.hhfab.githedgehog.com', content)
        self.assertIn('ssh://192.0.2.10:9004', content)
        self.assertIn('kind: Switch\nmetadata:\n  name: leaf-02', content)

    def test_missing_reference_is_plain_text(self):
        # No SwitchProfile "dell-s5232f-on" exists: the spine's profile is shown without a link.
        switch = Switch.objects.get(fabric=self.fabric, name='spine-01')
        content = self.client.get(switch.get_absolute_url()).content.decode()
        self.assertIn('title="Not found in this fabric">dell-s5232f-on</span>', content)
        self.assertNotIn('>dell-s5232f-on</a>', content)

    def test_switch_page_lists_its_connections(self):
        switch = Switch.objects.get(fabric=self.fabric, name='leaf-01')
        content = self.client.get(switch.get_absolute_url()).content.decode()
        match = re.search(r'hx-get="([^"]*connections/[^"]*)"', content)
        self.assertIsNotNone(match, 'no connections table on the switch page')
        table = self.client.get(match.group(1).replace('&amp;', '&'), HTTP_HX_REQUEST='true').content.decode()
        expected = {
            'spine-01--fabric--leaf-01', 'spine-02--fabric--leaf-01', 'server-01--eslag--leaf-01--leaf-02',
            'server-02--eslag--leaf-01--leaf-02', 'server-03--bundled--leaf-01',
        }
        shown = {name for name in Connection.objects.values_list('name', flat=True) if f'>{name}</a>' in table}
        self.assertEqual(shown, expected)

    def test_connection_page_shows_endpoints(self):
        connection = Connection.objects.get(fabric=self.fabric, name='server-02--eslag--leaf-01--leaf-02')
        content = self.client.get(connection.get_absolute_url()).content.decode()
        server = Server.objects.get(fabric=self.fabric, name='server-02')
        leaf = Switch.objects.get(fabric=self.fabric, name='leaf-02')
        self.assertRegex(content, rf'<td>server</td>\s*<td>\s*<a href="{server.get_absolute_url()}">server-02</a>'
                                  rf'\s*</td>\s*<td class="font-monospace">enp2s2</td>')
        self.assertRegex(content, rf'<td>switch</td>\s*<td>\s*<a href="{leaf.get_absolute_url()}">leaf-02</a>'
                                  rf'\s*</td>\s*<td class="font-monospace">E1/55/1</td>\s*<td>\s*1\s*</td>')
        self.assertIn('ESLAG', content)

    def test_external_attachment_links_external_and_connection(self):
        attachment = ExternalAttachment.objects.get(fabric=self.fabric, name='leaf-04--internet--1')
        content = self.client.get(attachment.get_absolute_url()).content.decode()
        external = External.objects.get(fabric=self.fabric, name='internet')
        connection = Connection.objects.get(fabric=self.fabric, name=attachment.connection)
        self.assertIn(f'<a href="{external.get_absolute_url()}">internet</a>', content)
        self.assertIn(f'<a href="{connection.get_absolute_url()}">{connection.name}</a>', content)

    def test_list_filter_narrows_by_typed_column(self):
        url = reverse('plugins:netbox_hedgehog:connection_list')
        content = self.client.get(f'{url}?fabric_id={self.fabric.pk}&connection_type=eslag').content.decode()
        self.assertIn('server-01--eslag--leaf-01--leaf-02', content)
        self.assertNotIn('server-03--bundled--leaf-01', content)
        content = self.client.get(f'{reverse("plugins:netbox_hedgehog:switch_list")}?role=spine').content.decode()
        self.assertIn('spine-01', content)
        self.assertNotIn('leaf-01', content)


class FilterFormTest(TestCase):
    """Every field of a list's filter form is a filter its filterset applies (no field silently does nothing)."""

    def test_filter_form_fields_match_filterset(self):
        for model in (Fabric, *(kind.model for kind in KINDS)):
            form_class = getattr(forms, f'{model.__name__}FilterForm')
            filterset_class = getattr(filtersets, f'{model.__name__}FilterSet')
            with self.subTest(form=form_class.__name__):
                unknown = set(form_class().fields) - set(filterset_class().filters) - {'filter_id'}
                self.assertEqual(unknown, set())


class NavigationTest(TestCase):

    def test_menu_lists_every_kind_with_add_buttons_except_switch_profiles(self):
        self.user.is_superuser = True
        self.user.save()
        content = self.client.get(reverse('home')).content.decode()
        self.assertIn('Hedgehog', content)
        for model_name in ('fabric', 'switch', 'switchgroup', 'switchprofile', 'server', 'connection',
                           'vlannamespace', 'ipv4namespace', 'vpc', 'vpcattachment', 'vpcpeering', 'external',
                           'externalattachment', 'externalpeering', 'gateway', 'gatewaygroup'):
            with self.subTest(kind=model_name):
                self.assertIn(f'href="{reverse(f"plugins:netbox_hedgehog:{model_name}_list")}"', content)
                if model_name != 'switchprofile':
                    self.assertIn(f'href="{reverse(f"plugins:netbox_hedgehog:{model_name}_add")}"', content)
        self.assertNotIn('/switch-profiles/add/', content)
        self.assertNotIn('/switch-profiles/import/', content)
