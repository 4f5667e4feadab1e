"""The fabric's admission rules where NetBox accepts a change (forms, REST create/update/partial update, bulk
import, bulk edit, Git writes), desired state from Git judged and defaulted before drift, and what the API accepts
that NetBox accepts too."""
import yaml
from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from netbox_hedgehog.gitops.repository import GitError
from netbox_hedgehog.gitops.writer import WriteRequest, write_to_git
from netbox_hedgehog.kinds import KIND_BY_NAME, to_manifest
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    Fabric,
    GatewayPeering,
    IPv4Namespace,
    Server,
    Switch,
    SyncChange,
    VLANNamespace,
    VPCAttachment,
)
from tests.cluster import ClusterTestCase
from tests.test_gitops import GitOpsTestCase

VPC_SPEC = {'subnets': {'default': {'subnet': '10.0.1.0/24', 'vlan': 1001}}}
STATIC_ATTACHMENT = {'external': 'ext-1', 'connection': 'leaf-01--external', 'switch': {}, 'neighbor': {},
                     'static': {'remoteIP': '10.45.0.2', 'vlan': 200, 'proxy': True}}


class AdminClientMixin:
    def setUp(self):
        super().setUp()
        self.user = User.objects.create_user(username='admin-rules', is_superuser=True)
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)
        self.fabric = Fabric.objects.create(name='rules', kubernetes_server='https://172.30.0.1:6443',
                                            write_mode='cluster')
        # The namespaces the objects below name (the rules that span objects need them).
        VLANNamespace.objects.create(fabric=self.fabric, name='default', spec={'ranges': [{'from': 1000, 'to': 2999}]})
        IPv4Namespace.objects.create(fabric=self.fabric, name='default', spec={'subnets': ['10.0.0.0/16']})


@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class EditTimeRulesTest(AdminClientMixin, TestCase):
    def post(self, slug, data):
        return self.api.post(f'/api/plugins/hedgehog/{slug}/', {'fabric': self.fabric.pk, **data}, format='json')

    def test_rest_create_is_refused_with_path_value_and_rule(self):
        response = self.post('vpcs', {'name': 'vpc-toolong-n', 'spec': VPC_SPEC})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json(), {'name': [
            'Refused by the fabric\'s admission rules: metadata.name = "vpc-toolong-n": name is too long, must be '
            '<= 11 characters']})
        response = self.post('vpcs', {'name': 'vpc-1', 'spec': {**VPC_SPEC, 'mode': 'l2vni'}})
        self.assertEqual(response.status_code, 400)
        self.assertIn('spec.mode = "l2vni": invalid mode', response.json()['spec'][0])
        response = self.post('switches', {'name': 'Leaf 01/x', 'spec': {'role': 'spine'}})
        self.assertIn('lowercase RFC 1123', response.json()['name'][0])
        response = self.post('vlan-namespaces', {'name': 'big', 'spec': {'ranges': [{'from': 10, 'to': 70000}]}})
        self.assertEqual(response.status_code, 400)
        self.assertIn('spec.ranges[0]', response.json()['spec'][0])
        self.assertIn('70000', response.json()['spec'][0])
        many = [{'from': 100 + i} for i in range(21)]
        response = self.post('vlan-namespaces', {'name': 'many', 'spec': {'ranges': many}})
        (message,) = response.json()['spec']
        self.assertTrue(message.startswith("Refused by the fabric's admission rules: spec.ranges = [{"), message)
        self.assertTrue(message.endswith('...: must list 1 to 20 ranges'), message)
        self.assertEqual((VPC.objects.count(), Switch.objects.count(), VLANNamespace.objects.count()), (0, 0, 1))

    def test_rest_update_and_partial_update_are_refused(self):
        vpc = VPC.objects.create(fabric=self.fabric, name='vpc-1', spec=VPC_SPEC)
        url = f'/api/plugins/hedgehog/vpcs/{vpc.pk}/'
        overlapping = {'subnets': {**VPC_SPEC['subnets'], 'web': {'subnet': '10.0.1.128/25', 'vlan': 1002}}}
        response = self.api.patch(url, {'spec': overlapping}, format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn('subnets 10.0.1.0/24 and 10.0.1.128/25 overlap', response.json()['spec'][0])
        duplicate_vlan = {'subnets': {**VPC_SPEC['subnets'], 'web': {'subnet': '10.0.2.0/24', 'vlan': 1001}}}
        response = self.api.put(url, {'fabric': self.fabric.pk, 'name': 'vpc-1', 'spec': duplicate_vlan}, format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn('spec.subnets.web.vlan = 1001: duplicate subnet VLANs', response.json()['spec'][0])
        relay_and_server = {'subnets': {'default': {**VPC_SPEC['subnets']['default'],
                                                    'dhcp': {'enable': True, 'relay': '10.0.9.1/32'}}}}
        response = self.api.patch(url, {'spec': relay_and_server}, format='json')
        self.assertIn('dhcp relay and dhcp server cannot be enabled at the same time', response.json()['spec'][0])
        vpc.refresh_from_db()
        self.assertEqual(vpc.spec, VPC_SPEC, 'nothing of a refused change is stored')

    def test_rest_bulk_update_is_refused_as_a_whole(self):
        ok = VPC.objects.create(fabric=self.fabric, name='vpc-1', spec=VPC_SPEC)
        response = self.api.patch('/api/plugins/hedgehog/vpcs/', [
            {'id': ok.pk, 'spec': {**VPC_SPEC, 'permit': [['default']]}},
        ], format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn('each permit policy must have at least 2 subnets', str(response.content))
        ok.refresh_from_db()
        self.assertNotIn('permit', ok.spec)

    def test_form_shows_the_refusal(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpcpeering_add'), {
            'fabric': self.fabric.pk, 'name': 'three',
            'spec': yaml.safe_dump({'permit': [{'vpc-1': {}, 'vpc-2': {}, 'vpc-3': {}}]}),
            'labels': '{}', 'annotations': '{}',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'each permit policy must have exactly 2 VPCs (idx 0)')

    def test_bulk_import_refuses_the_whole_import(self):
        records = [
            {'fabric': 'rules', 'name': 'vpc-1', 'spec': VPC_SPEC},
            {'fabric': 'rules', 'name': 'vpc-2', 'spec': {'subnets': {'default': {'subnet': '10.0.2.0/24'}}}},
        ]
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_import'), {
            'data': yaml.safe_dump(records), 'format': 'yaml', 'csv_delimiter': ',',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'spec.subnets.default.vlan: vlan is required')
        self.assertEqual(VPC.objects.count(), 0)

    def test_bulk_edit_runs_the_rules(self):
        """A bulk edit of tags still passes each object through the rules: a stored object the webhooks refuse
        (written before the rules existed) is reported, valid ones are edited."""
        VPC.objects.create(fabric=self.fabric, name='vpc-1', spec=VPC_SPEC)
        legacy = VPC.objects.create(fabric=self.fabric, name='legacy', spec={'subnets': {}})
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_edit'), {
            'pk': [legacy.pk], '_apply': '1', 'description': 'x',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'at least one subnet is required')

    def test_gateway_peering_rules(self):
        response = self.post('gateway-peerings', {'name': 'three', 'spec': {'gatewayGroup': 'default', 'peering': {
            f'vpc-{i}': {'expose': [{'ips': [{'cidr': f'10.0.{i}.0/24'}]}]} for i in (1, 2, 3)}}})
        self.assertEqual(response.status_code, 400)
        self.assertIn('peering must have exactly 2 VPCs, got 3', response.json()['spec'][0])

    def test_model_clean_names_the_field(self):
        attachment = VPCAttachment(fabric=self.fabric, name='a', spec={'subnet': 'vpc-1/default', 'connection': 'c'},
                                   annotations={'fabric.githedgehog.com/p2p-link': '10.0.0.0/30'})
        with self.assertRaises(ValidationError) as raised:
            attachment.full_clean()
        self.assertEqual(raised.exception.message_dict['annotations'], [
            "Refused by the fabric's admission rules: metadata.annotations.fabric.githedgehog.com/p2p-link = "
            '"10.0.0.0/30": p2p link annotation subnet must be a valid IPv4 /31 prefix'])
        # The same attachment without the annotation is judged with the fabric's other objects: its VPC is missing.
        with self.assertRaises(ValidationError) as raised:
            VPCAttachment(fabric=self.fabric, name='b', spec={'subnet': 'vpc-1', 'connection': 'c'}).full_clean()
        self.assertEqual(raised.exception.message_dict['spec'], [
            'Refused by the fabric\'s admission rules: spec.subnet = "vpc-1/default": vpc vpc-1 not found'])


class WhatTheApiAcceptsTest(AdminClientMixin, TestCase):
    def test_static_proxy_is_a_boolean(self):
        External.objects.create(fabric=self.fabric, name='ext-1', spec={'static': {'prefixes': ['0.0.0.0/0']}})
        Connection.objects.create(fabric=self.fabric, name='leaf-01--external',
                                  spec={'external': {'link': {'switch': {'port': 'leaf-01/E1/1'}}}})
        response = self.api.post('/api/plugins/hedgehog/external-attachments/', {
            'fabric': self.fabric.pk, 'name': 'leaf-01--static', 'spec': STATIC_ATTACHMENT}, format='json')
        self.assertEqual(response.status_code, 201, response.content)
        stored = ExternalAttachment.objects.get(name='leaf-01--static')
        self.assertEqual((stored.external_type, stored.vlan, stored.switch_ip), ('static', 200, ''))
        response = self.api.post('/api/plugins/hedgehog/external-attachments/', {
            'fabric': self.fabric.pk, 'name': 'bad', 'spec': {
                **STATIC_ATTACHMENT, 'static': {**STATIC_ATTACHMENT['static'], 'proxy': 'yes'}}}, format='json')
        self.assertEqual(response.status_code, 400)
        self.assertIn('spec.static.proxy: expected true or false', response.json()['spec'][0])

    def test_vlan_range_to_zero_means_from(self):
        response = self.api.post('/api/plugins/hedgehog/vlan-namespaces/', {
            'fabric': self.fabric.pk, 'name': 'single', 'spec': {'ranges': [{'from': 1000, 'to': 0}]}}, format='json')
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()['ranges'], ['1000-1000'])


LONG = 'A switch description the API takes at any length. ' * 60
HYDRATED_SWITCH = {'role': 'server-leaf', 'profile': 'vs', 'asn': 65101, 'ip': '172.30.0.8/21',
                   'protocolIP': '172.30.8.2/32', 'vtepIP': '172.30.12.2/32', 'vlanNamespaces': ['default']}


class LongDescriptionTest(AdminClientMixin, ClusterTestCase):
    def test_rest_create_of_a_long_description(self):
        spec = {**HYDRATED_SWITCH, 'description': LONG}
        response = self.api.post('/api/plugins/hedgehog/switches/', {
            'fabric': self.fabric.pk, 'name': 'leaf-01', 'spec': spec}, format='json')
        self.assertEqual(response.status_code, 201, response.content[:500])
        self.assertEqual(Switch.objects.get(name='leaf-01').description, LONG)

    def test_sync_writes_long_descriptions_with_copy(self):
        """Created rows and updated rows both go through the COPY path of the sync."""
        self.assertGreater(len(LONG), 500)
        for kind, name, spec in (('Switch', 'leaf-01', {**HYDRATED_SWITCH, 'description': LONG}),
                                 ('Server', 'server-01', {'description': LONG})):
            self.kube.put({'apiVersion': KIND_BY_NAME[kind].api_version, 'kind': kind,
                           'metadata': {'name': name, 'namespace': 'default'}, 'spec': spec})
        fabric = self.make_fabric(name='long', write_mode='cluster')
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(run.total('create'), 2)
        self.assertEqual(Switch.objects.get(fabric=fabric).description, LONG)
        self.assertEqual(Server.objects.get(fabric=fabric).description, LONG)

        longer = LONG + 'And then some more.'
        server = self.kube.get('Server', 'server-01')
        server['spec']['description'] = longer
        self.kube.put(server)
        run = self.sync(fabric)
        self.assertEqual((run.status, run.total('update')), ('succeeded', 1), run.error)
        self.assertEqual(Server.objects.get(fabric=fabric).description, longer)


class GitRulesTest(GitOpsTestCase):
    def test_refused_git_document_is_an_error_of_its_file_and_line(self):
        refused = ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata:\n  name: vpc-toolong-n\nspec:\n'
                   '  subnets:\n    default: {subnet: 10.10.250.0/24, vlan: 1250}\n---\n'
                   'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPCPeering\nmetadata:\n  name: three\nspec:\n'
                   '  permit:\n  - {vpc-1: {}, vpc-2: {}, vpc-3: {}}\n')
        self.repo.commit({'env-1/refused.yaml': refused}, 'Add objects the webhooks refuse')
        fabric = self.git_fabric()
        run = self.sync(fabric)
        self.assertEqual(run.status, 'partial')
        errors = sorted(c.message for c in SyncChange.objects.filter(run=run, action='error',
                                                                     git_file='env-1/refused.yaml'))
        self.assertEqual(errors, [
            "env-1/refused.yaml, document 1 (line 1) 'vpc-toolong-n': refused by the VPC admission rules: "
            'metadata.name = "vpc-toolong-n": name is too long, must be <= 11 characters',
            "env-1/refused.yaml, document 2 (line 9) 'three': refused by the VPCPeering admission rules: "
            'spec.permit[0] = ["vpc-1", "vpc-2", "vpc-3"]: each permit policy must have exactly 2 VPCs '
            '(idx 0)',
        ])
        self.assertFalse(VPC.objects.filter(fabric=fabric, name='vpc-toolong-n').exists())
        self.assertTrue(VPC.objects.filter(fabric=fabric, name='vpc-1').exists(), 'the valid documents load')

    def test_defaults_the_cluster_fills_in_are_not_drift(self):
        """Git holds what people write; the cluster holds it after the webhooks' defaulting."""
        authored = ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPCAttachment\nmetadata:\n  name: short-form\n'
                    'spec:\n  connection: server-07--unbundled--leaf-03\n  subnet: vpc-2\n---\n'
                    'apiVersion: wiring.githedgehog.com/v1beta1\nkind: VLANNamespace\nmetadata:\n  name: default\n'
                    'spec:\n  ranges:\n  - {from: 2000, to: 2999}\n  - {from: 1000}\n  - {from: 1001, to: 1099}\n')
        self.repo.commit({'env-1/short.yaml': authored}, 'Short forms')
        for document in yaml.safe_load_all(authored):
            self.kube.put(document)
        stored = self.kube.get('VPCAttachment', 'short-form')
        self.assertEqual(stored['spec']['subnet'], 'vpc-2/default', 'the test server defaults as a cluster')
        self.assertEqual(self.kube.get('VLANNamespace', 'default')['spec']['ranges'],
                         [{'from': 1000, 'to': 1000}, {'from': 1001, 'to': 1099}, {'from': 2000, 'to': 2999}])
        fabric = self.git_fabric()
        self.synced(fabric)
        attachment = VPCAttachment.objects.get(fabric=fabric, name='short-form')
        self.assertEqual((attachment.drift_status, attachment.drift_diff), ('in_sync', []))
        self.assertEqual(attachment.spec['subnet'], 'vpc-2', 'spec stays the desired state as written')
        namespace = VLANNamespace.objects.get(fabric=fabric, name='default')
        self.assertEqual((namespace.drift_status, namespace.drift_diff), ('in_sync', []))
        vpc = VPC.objects.get(fabric=fabric, name='vpc-1')
        self.assertEqual(vpc.observed['spec']['subnets']['default']['gateway'], '10.20.1.1')
        self.assertEqual(vpc.drift_status, 'in_sync')

    def test_gateway_peering_syncs_from_git_and_the_cluster_without_drift(self):
        """The documentation's GatewayPeering: a first-class kind, loaded from Git, compared after defaulting."""
        document = ('apiVersion: gateway.githedgehog.com/v1alpha1\nkind: GatewayPeering\nmetadata:\n'
                    '  name: vpc-1--vpc-2\nspec:\n  peering:\n    vpc-1:\n      expose:\n'
                    '      - ips:\n        - cidr: 10.20.1.0/24\n    vpc-2:\n      expose:\n'
                    '      - ips:\n        - cidr: 10.20.2.0/24\n        as:\n        - cidr: 192.168.2.0/24\n'
                    '        nat:\n          masquerade: {}\n')
        self.repo.commit({'env-1/gateway-peering.yaml': document}, 'Peer two VPCs through the gateway')
        self.kube.put(yaml.safe_load(document))
        stored = self.kube.get('GatewayPeering', 'vpc-1--vpc-2')['spec']
        self.assertEqual(stored['gatewayGroup'], 'default')
        self.assertEqual(stored['peering']['vpc-2']['expose'][0]['nat'], {'masquerade': {'idleTimeout': '2m0s'}})
        fabric = self.git_fabric()
        run = self.synced(fabric)
        self.assertEqual(run.status, 'succeeded', run.log)
        peering = GatewayPeering.objects.get(fabric=fabric, name='vpc-1--vpc-2')
        self.assertEqual((peering.gateway_group, peering.vpcs, peering.prefixes),
                         ('default', ['vpc-1', 'vpc-2'], ['10.20.1.0/24', '10.20.2.0/24', '192.168.2.0/24']))
        self.assertEqual((peering.drift_status, peering.git_file), ('in_sync', 'env-1/gateway-peering.yaml'))

    def test_git_write_of_a_refused_object_commits_nothing(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        head = self.repo.head()
        manifest = to_manifest(KIND_BY_NAME['VPC'], 'vpc-toolong-n', VPC_SPEC)
        request = WriteRequest('create', 'VPC', 'vpc-toolong-n', manifest, '', '', 'alice')
        with self.assertRaises(GitError) as raised:
            write_to_git(fabric, request)
        self.assertEqual(str(raised.exception), 'Git: VPC vpc-toolong-n is refused by the fabric\'s admission rules '
                                                 '(metadata.name = "vpc-toolong-n": name is too long, must be <= 11 '
                                                 'characters); nothing was committed.')
        self.assertEqual(self.repo.head(), head)
