"""REST and GraphQL API: NetBox's own API test cases for every model, plus what a user of the Hedgehog API relies on
(typed columns derived from the spec, exact filter counts, write-only credentials, readable validation errors).
"""
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework import status
from strawberry.schema.schema_converter import GraphQLCoreConverter
from utilities.testing import APITestCase, APIViewTestCases

from netbox_hedgehog.graphql.types import FabricType
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

from .specs import (
    BUNDLED_SERVER_3,
    DEMO_VPC_1,
    DEMO_VPC_2,
    DEMO_VPC_3,
    DS3000_01,
    DS3000_02,
    DS3000_03,
    DS3000_CATALOG,
    DS4000_01,
    DS4000_02,
    DS4000_CATALOG,
    ESLAG_SERVER_1,
    ESLAG_SERVER_2,
    EXTERNAL_DS3000_03,
    FABRIC_SPINE_1_LEAF_1,
    FABRIC_SPINE_2_LEAF_1,
    GATEWAY_1,
    GATEWAY_2,
    GATEWAY_SPINE_1,
    INVALID_LABELS,
    KUBECONFIG,
    SSE_C4632_01,
    UNBUNDLED_SERVER_7,
    VPC_01,
    VPC_02,
    VPC_LOOPBACK_DS3000_01,
    VS_CATALOG,
    create_fabric,
    create_objects,
    create_surroundings,
    gateway_peering_spec,
)


class PluginAPITestMixin:
    """Points NetBox's API test cases at this plugin's REST namespace and GraphQL query fields."""
    view_namespace = 'plugins-api:netbox_hedgehog'

    def _get_graphql_base_name(self):
        # Query fields are the model's verbose name with the plugin's `hedgehog_` prefix (hedgehog_vpc_attachment).
        return f'hedgehog_{super()._get_graphql_base_name()}'


class ResourceAPITestMixin(PluginAPITestMixin):
    """Every kind nests its fabric, which the test user may see (as core's tests grant view on related objects)."""
    brief_fields = ['display', 'fabric', 'id', 'name', 'url']
    user_permissions = ('netbox_hedgehog.view_fabric',)


#
# NetBox's API view test cases, one per model
#

class FabricTest(PluginAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Fabric
    brief_fields = ['description', 'display', 'id', 'name', 'url']
    # Write-only: never in a response, so NetBox's "field is echoed back" checks cannot apply.
    validation_excluded_fields = ['kubeconfig', 'kubernetes_token', 'git_token', 'git_ssh_key']
    # Turning scheduled sync on needs the sync permission, which these generic tests do not grant.
    bulk_update_data = {'status': 'maintenance', 'sync_enabled': False, 'sync_interval': 900}
    bulk_update_invalid_data = {'sync_interval': 10}
    update_data = {'description': 'lab-ci hardware lab', 'git_branch': 'release', 'sync_interval': 120}

    @classmethod
    def setUpTestData(cls):
        create_fabric('env-ci-1', description='lab-ci env-ci-1.l')
        create_fabric('env-ci-2', status='planned')
        create_fabric('demo', git_url='https://github.com/githedgehog/demo-gitops.git', git_path='env-1')
        cls.create_data = [
            # A whole kubeconfig alone is enough: it names the API server.
            {'name': 'env-kubeconfig', 'kubeconfig': KUBECONFIG, 'sync_interval': 300},
            {
                'name': 'env-token', 'status': 'planned', 'kubernetes_server': 'https://10.10.0.1:6443',
                'kubernetes_token': 'eyJhbGciOiJSUzI1NiJ9.reader', 'kubernetes_ca_cert': '-----BEGIN CERTIFICATE-----',
            },
            {
                'name': 'env-gitops', 'kubeconfig': KUBECONFIG, 'git_url': 'https://github.com/githedgehog/demo-gitops.git',
                'git_branch': 'main', 'git_path': 'env-1', 'git_token': 'ghp_demoGitopsToken',
                'git_author_name': 'Fabric Bot', 'git_author_email': 'fabric-bot@example.com',
            },
        ]


class VLANNamespaceTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = VLANNamespace
    bulk_update_data = {'labels': {'fabric.githedgehog.com/site': 'lab-ci'}}
    bulk_update_invalid_data = INVALID_LABELS

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(VLANNamespace, fabric, [
            ('default', {'ranges': [{'from': 1000, 'to': 2999}]}),
            ('lab', {'ranges': [{'from': 3000, 'to': 3099}]}),
            ('edge', {'ranges': [{'from': 100, 'to': 199}, {'from': 300}]}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'tenant-a', 'spec': {'ranges': [{'from': 2000, 'to': 2099}]}},
            {'fabric': fabric.pk, 'name': 'tenant-b', 'spec': {'ranges': [{'from': 2100, 'to': 2199}]}},
            {'fabric': fabric.pk, 'name': 'tenant-c', 'spec': {'ranges': [{'from': 2200}]}},
        ]


class SwitchGroupTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = SwitchGroup
    bulk_update_data = {'annotations': {'hhfab.githedgehog.com/rack': 'r1'}}
    bulk_update_invalid_data = INVALID_LABELS

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(SwitchGroup, fabric, [('eslag-1', {}), ('eslag-2', {}), ('border', {})])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'eslag-3', 'spec': {}},
            {'fabric': fabric.pk, 'name': 'eslag-4', 'spec': {}},
            {'fabric': fabric.pk, 'name': 'empty', 'spec': {}, 'labels': {'team': 'network'}},
        ]


class SwitchProfileTest(
    ResourceAPITestMixin,
    APIViewTestCases.GetObjectViewTestCase,
    APIViewTestCases.ListObjectsViewTestCase,
    APIViewTestCases.GraphQLTestCase,
):
    """Switch profiles are read-only: NetBox's read tests, and a write test that expects 405."""
    model = SwitchProfile

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(SwitchProfile, fabric, [
            ('celestica-ds3000', DS3000_CATALOG), ('celestica-ds4000', DS4000_CATALOG), ('vs', VS_CATALOG),
        ])

    def test_profile_shows_catalog_columns(self):
        self.add_permissions('netbox_hedgehog.view_switchprofile')
        profile = SwitchProfile.objects.get(name='celestica-ds3000')
        response = self.client.get(self._get_detail_url(profile), **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(
            {key: response.data[key] for key in ('display_name', 'switch_silicon', 'nos_type', 'port_count')},
            {'display_name': 'Celestica DS3000', 'switch_silicon': 'Broadcom TD3-X7 3.2T', 'nos_type': 'sonic-bcm-base',
             'port_count': 3},
        )

    def test_writes_are_not_allowed(self):
        """Even a user holding every permission on switch profiles cannot write one through the API."""
        self.add_permissions(*(f'netbox_hedgehog.{action}_switchprofile' for action in ('view', 'add', 'change',
                                                                                         'delete')))
        profile = SwitchProfile.objects.get(name='vs')
        fabric = profile.fabric
        data = {'fabric': fabric.pk, 'name': 'dell-s5248f-on', 'spec': {'displayName': 'Dell S5248F-ON'}}
        detail, listing = self._get_detail_url(profile), self._get_list_url()
        attempts = (
            self.client.post(listing, data, format='json', **self.header),
            self.client.patch(listing, [{'id': profile.pk, 'labels': {'a': 'b'}}], format='json', **self.header),
            self.client.delete(listing, [{'id': profile.pk}], format='json', **self.header),
            self.client.put(detail, data, format='json', **self.header),
            self.client.patch(detail, {'spec': {'displayName': 'edited'}}, format='json', **self.header),
            self.client.delete(detail, **self.header),
        )
        self.assertEqual([response.status_code for response in attempts], [status.HTTP_405_METHOD_NOT_ALLOWED] * 6)
        profile.refresh_from_db()
        self.assertEqual(profile.display_name, 'Virtual Switch')
        self.assertEqual(SwitchProfile.objects.count(), 3)


class SwitchTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Switch
    bulk_update_data = {'labels': {'fabric.githedgehog.com/rack': 'r2'}}
    bulk_update_invalid_data = {'spec': {'role': 'spine', 'asn': 'sixty-five thousand'}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(Switch, fabric, [
            ('ds3000-01', DS3000_01), ('ds4000-01', DS4000_01), ('sse-c4632-01', SSE_C4632_01),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'ds3000-02', 'spec': DS3000_02,
             'annotations': {'type.hhfab.githedgehog.com': 'hw'}},
            {'fabric': fabric.pk, 'name': 'ds3000-03', 'spec': DS3000_03},
            {'fabric': fabric.pk, 'name': 'ds4000-02', 'spec': DS4000_02},
        ]


class ServerTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Server
    bulk_update_data = {'spec': {'description': 'lab-ci test host'}}
    bulk_update_invalid_data = {'spec': {'description': {'rack': 3}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(Server, fabric, [('server-1', {}), ('server-2', {}), ('server-3', {'description': 'db'})])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'server-5', 'spec': {}},
            {'fabric': fabric.pk, 'name': 'server-6', 'spec': {'description': 'eslag host'}},
            {'fabric': fabric.pk, 'name': 'server-7', 'spec': {'description': 'unbundled host'}},
        ]


class ConnectionTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Connection
    bulk_update_data = {'labels': {'fabric.githedgehog.com/cable': 'checked'}}
    bulk_update_invalid_data = {'spec': {'unbundled': {'link': {'switch': {'port': 'ds3000-03/Ethernet1'}}}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(Connection, fabric, [
            ('server-1--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_1),
            ('ds4000-01--fabric--ds3000-01', FABRIC_SPINE_1_LEAF_1),
            ('ds3000-01--vpc-loopback', VPC_LOOPBACK_DS3000_01),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'server-3--bundled--ds3000-01', 'spec': BUNDLED_SERVER_3},
            {'fabric': fabric.pk, 'name': 'ds3000-03--external--ds2000-02', 'spec': EXTERNAL_DS3000_03},
            {'fabric': fabric.pk, 'name': 'ds4000-01--gateway--gateway-1', 'spec': GATEWAY_SPINE_1},
        ]


class IPv4NamespaceTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = IPv4Namespace
    bulk_update_data = {'labels': {'fabric.githedgehog.com/site': 'lab-ci'}}
    bulk_update_invalid_data = {'spec': {'subnets': '10.99.0.0/16'}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(IPv4Namespace, fabric, [
            ('default', {'subnets': ['10.20.0.0/16']}),
            ('tenant-a', {'subnets': ['10.30.0.0/16']}),
            ('tenant-b', {'subnets': ['10.40.0.0/16', '10.41.0.0/16']}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'tenant-c', 'spec': {'subnets': ['10.50.0.0/16']}},
            {'fabric': fabric.pk, 'name': 'tenant-d', 'spec': {'subnets': ['10.60.0.0/16']}},
            {'fabric': fabric.pk, 'name': 'tenant-e', 'spec': {'subnets': ['10.70.0.0/16', '10.71.0.0/16']}},
        ]


class VPCTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = VPC
    bulk_update_data = {'labels': {'tenant': 'demo'}}
    bulk_update_invalid_data = {'spec': {'subnets': {'default': {'subnet': '10.10.1.0/24', 'vlan': 'ten'}}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        # vpc-02 is the DHCP relay VPC of vpc-01.
        create_objects(VPC, fabric, [('demo-vpc-1', DEMO_VPC_1), ('demo-vpc-2', DEMO_VPC_2),
                                     ('demo-vpc-3', DEMO_VPC_3), ('vpc-02', VPC_02)])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'vpc-01', 'spec': VPC_01},
            {'fabric': fabric.pk, 'name': 'vpc-04', 'spec': {
                'subnets': {'default': {'subnet': '10.0.4.0/24', 'vlan': 1004}},
            }},
            {'fabric': fabric.pk, 'name': 'vpc-03', 'spec': {
                'mode': 'l3vni', 'subnets': {'default': {'subnet': '10.0.3.0/24', 'vlan': 1003}},
            }},
        ]


class VPCAttachmentTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = VPCAttachment
    bulk_update_data = {'labels': {'tenant': 'demo'}}
    bulk_update_invalid_data = {'spec': {'connection': 'server-1--unbundled--leaf-01', 'nativeVLAN': 'yes'}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(VPCAttachment, fabric, [
            ('demo-vpc-1--server-1--eslag--ds3000-01--ds3000-02',
             {'connection': 'server-1--eslag--ds3000-01--ds3000-02', 'subnet': 'demo-vpc-1/default'}),
            ('demo-vpc-2--server-4--unbundled--ds3000-03',
             {'connection': 'server-4--unbundled--ds3000-03', 'subnet': 'demo-vpc-2/default'}),
            ('demo-vpc-3--server-3--bundled--ds3000-01',
             {'connection': 'server-3--bundled--ds3000-01', 'subnet': 'demo-vpc-3/subnet-1'}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'server-5--vpc-01',
             'spec': {'connection': 'server-5--unbundled--ds3000-03', 'subnet': 'vpc-01/default'}},
            {'fabric': fabric.pk, 'name': 'server-6--vpc-02',
             'spec': {'connection': 'server-6--unbundled--sse-c4632-01', 'subnet': 'vpc-02/default'}},
            {'fabric': fabric.pk, 'name': 'server-7--vpc-03',
             'spec': {'connection': 'server-7--unbundled--ds3000-03', 'subnet': 'vpc-03', 'nativeVLAN': True}},
        ]


class VPCPeeringTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = VPCPeering
    bulk_update_data = {'labels': {'tenant': 'demo'}}
    bulk_update_invalid_data = {'spec': {'permit': {'vpc-01': {}}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(VPCPeering, fabric, [
            ('demo-vpc-1--demo-vpc-2', {'permit': [{'demo-vpc-1': {'subnets': ['default']},
                                                    'demo-vpc-2': {'subnets': ['default']}}]}),
            ('vpc-01--vpc-02', {'permit': [{'vpc-01': None, 'vpc-02': None}]}),
            ('demo-vpc-1--demo-vpc-3', {'permit': [{'demo-vpc-1': {}, 'demo-vpc-3': {'subnets': ['subnet-1']}}]}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'vpc-01--vpc-03', 'spec': {'permit': [{'vpc-01': {}, 'vpc-03': {}}]}},
            {'fabric': fabric.pk, 'name': 'vpc-02--vpc-03', 'spec': {'permit': [{'vpc-02': {}, 'vpc-03': {}}]}},
            {'fabric': fabric.pk, 'name': 'demo-vpc-2--demo-vpc-3',
             'spec': {'permit': [{'demo-vpc-2': {}, 'demo-vpc-3': {'subnets': ['subnet-2']}}]}},
        ]


class ExternalTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = External
    bulk_update_data = {'annotations': {'type.hhfab.githedgehog.com': 'hw'}}
    bulk_update_invalid_data = {'spec': {'static': {'prefixes': '0.0.0.0/0'}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(External, fabric, [
            ('default', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:3001',
                         'outboundCommunity': '3001:65101'}),
            ('other', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:4001',
                       'outboundCommunity': '4001:65101'}),
            ('static-ext', {'ipv4Namespace': 'default', 'static': {'prefixes': ['0.0.0.0/0']}}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'internet', 'spec': {
                'ipv4Namespace': 'default', 'inboundCommunity': '65102:5001', 'outboundCommunity': '5001:65102'}},
            {'fabric': fabric.pk, 'name': 'dc-core', 'spec': {
                'ipv4Namespace': 'default', 'inboundCommunity': '65102:6001', 'outboundCommunity': '6001:65102'}},
            {'fabric': fabric.pk, 'name': 'static-mgmt', 'spec': {
                'ipv4Namespace': 'default', 'static': {'prefixes': ['192.168.0.0/16', '172.16.0.0/12']}}},
        ]


class ExternalAttachmentTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = ExternalAttachment
    bulk_update_data = {'labels': {'uplink': 'ds2000-02'}}
    bulk_update_invalid_data = {'spec': {'external': 'default', 'switch': {'vlan': 'one hundred'}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(ExternalAttachment, fabric, [
            ('ds3000-03--default', {'external': 'default', 'connection': 'ds3000-03--external--ds2000-02',
                                    'switch': {'vlan': 100, 'ip': '100.6.100.2/24'},
                                    'neighbor': {'asn': 64102, 'ip': '100.6.100.6'}}),
            ('sse-c4632-01--default', {'external': 'default', 'connection': 'sse-c4632-01--external--ds2000-02',
                                       'switch': {'vlan': 100, 'ip': '100.8.100.2/24'},
                                       'neighbor': {'asn': 64102, 'ip': '100.8.100.6'}}),
            ('ds3000-03--static-ext', {'external': 'static-ext', 'connection': 'ds3000-03--external--ds2000-02',
                                       'static': {'remoteIP': '100.6.210.6', 'vlan': 210, 'ip': '100.6.210.2/24'}}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'ds3000-03--other', 'spec': {
                'external': 'other', 'connection': 'ds3000-03--external--ds2000-02',
                'switch': {'vlan': 200, 'ip': '100.6.200.2/24'}, 'neighbor': {'asn': 64102, 'ip': '100.6.200.6'}}},
            {'fabric': fabric.pk, 'name': 'sse-c4632-01--other', 'spec': {
                'external': 'other', 'connection': 'sse-c4632-01--external--ds2000-02',
                'switch': {'vlan': 200, 'ip': '100.8.200.2/24'}, 'neighbor': {'asn': 64102, 'ip': '100.8.200.6'}}},
            {'fabric': fabric.pk, 'name': 'sse-c4632-01--static-ext', 'spec': {
                'external': 'static-ext', 'connection': 'sse-c4632-01--external--ds2000-02',
                'static': {'remoteIP': '100.8.210.6', 'vlan': 210, 'ip': '100.8.210.2/24'}}},
        ]


class ExternalPeeringTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = ExternalPeering
    bulk_update_data = {'labels': {'tenant': 'demo'}}
    bulk_update_invalid_data = {'spec': {'permit': {'external': {'name': 'default', 'prefixes': [{'le': 32}]}}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)

        def peering(vpc, subnets, external, prefixes):
            return {'permit': {'vpc': {'name': vpc, 'subnets': subnets},
                               'external': {'name': external, 'prefixes': [{'prefix': p} for p in prefixes]}}}

        create_objects(ExternalPeering, fabric, [
            ('demo-vpc-1--default', peering('demo-vpc-1', ['default'], 'default', ['0.0.0.0/0'])),
            ('demo-vpc-2--default', peering('demo-vpc-2', ['default'], 'default', ['0.0.0.0/0'])),
            ('demo-vpc-3--other', peering('demo-vpc-3', ['subnet-1', 'subnet-2'], 'other', ['10.99.0.0/16'])),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'vpc-01--default', 'spec': peering('vpc-01', ['default'], 'default',
                                                                              ['0.0.0.0/0'])},
            {'fabric': fabric.pk, 'name': 'vpc-02--other', 'spec': peering('vpc-02', ['default'], 'other',
                                                                            ['10.98.0.0/16', '10.97.0.0/16'])},
            {'fabric': fabric.pk, 'name': 'vpc-03--static-ext', 'spec': peering('vpc-03', ['default'], 'static-ext',
                                                                                 ['0.0.0.0/0'])},
        ]


class GatewayGroupTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = GatewayGroup
    bulk_update_data = {'labels': {'site': 'lab-ci'}}
    bulk_update_invalid_data = INVALID_LABELS

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_objects(GatewayGroup, fabric, [('default', {}), ('edge', {}), ('backup', {})])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'dc-1', 'spec': {}},
            {'fabric': fabric.pk, 'name': 'dc-2', 'spec': {}},
            {'fabric': fabric.pk, 'name': 'dc-3', 'spec': {}, 'annotations': {'owner': 'netops'}},
        ]


class GatewayTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = Gateway
    bulk_update_data = {'labels': {'site': 'lab-ci'}}
    bulk_update_invalid_data = {'spec': {'interfaces': {'enp2s1np0': {}}, 'workers': 'sixteen'}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(Gateway, fabric, [
            ('gateway-1', GATEWAY_1), ('gateway-2', GATEWAY_2),
            ('gateway-3', {**GATEWAY_2, 'protocolIP': '172.30.8.13/32', 'vtepIP': '172.30.12.13/32',
                           'vtepMAC': 'ca:fe:ba:be:00:0d', 'logs': {},
                           'interfaces': {'enp2s1': {'ips': ['172.30.128.5/31']},
                                          'enp2s2': {'ips': ['172.30.128.7/31']}}}),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'gateway-4', 'spec': {
                **GATEWAY_1, 'protocolIP': '172.30.8.11/32', 'vtepIP': '172.30.12.11/32',
                'vtepMAC': 'ca:fe:ba:be:00:0b'}},
            {'fabric': fabric.pk, 'name': 'gateway-5', 'spec': {
                **GATEWAY_2, 'protocolIP': '172.30.8.12/32', 'vtepIP': '172.30.12.12/32',
                'vtepMAC': 'ca:fe:ba:be:00:0c'}},
            {'fabric': fabric.pk, 'name': 'gateway-6', 'spec': {
                **GATEWAY_2, 'protocolIP': '172.30.8.16/32', 'vtepIP': '172.30.12.16/32',
                'vtepMAC': 'ca:fe:ba:be:00:10', 'interfaces': {'enp2s1': {'ips': ['172.30.128.9/31']}},
                'workers': 8}},
        ]


class GatewayPeeringTest(ResourceAPITestMixin, APIViewTestCases.APIViewTestCase):
    model = GatewayPeering
    bulk_update_data = {'labels': {'tenant': 'demo'}}
    bulk_update_invalid_data = {'spec': {'peering': {'vpc-1': {'expose': [{'ips': [{'cidr': '10.0.1.0/24'}]}]}}}}

    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1')
        create_surroundings(fabric, cls.model)
        create_objects(GatewayPeering, fabric, [
            ('vpc-1--vpc-2', gateway_peering_spec('vpc-1', 'vpc-2', '10.0.1.0/24', '10.0.2.0/24')),
            ('vpc-1--vpc-3', gateway_peering_spec('vpc-1', 'vpc-3', '10.0.1.0/24', '10.0.3.0/24', 'edge')),
            ('vpc-2--vpc-3', gateway_peering_spec('vpc-2', 'vpc-3', '10.0.2.0/24', '10.0.3.0/24')),
        ])
        cls.create_data = [
            {'fabric': fabric.pk, 'name': 'vpc-4--vpc-5',
             'spec': gateway_peering_spec('vpc-4', 'vpc-5', '10.0.4.0/24', '10.0.5.0/24')},
            {'fabric': fabric.pk, 'name': 'vpc-4--vpc-6',
             'spec': gateway_peering_spec('vpc-4', 'vpc-6', '10.0.4.0/25', '10.0.6.0/24', 'edge')},
            {'fabric': fabric.pk, 'name': 'vpc-4--ext-1',
             'spec': gateway_peering_spec('vpc-4', 'ext.ext-1', '10.0.4.128/25', '172.16.0.0/12')},
        ]


#
# What the Hedgehog API promises beyond NetBox's generic behaviour
#

def api_url(slug, pk=None):
    """The URL of an endpoint of this plugin, by the kind registry's slug (or 'fabrics')."""
    return f'/api/plugins/hedgehog/{slug}/' + (f'{pk}/' if pk else '')


class EndpointTest(APITestCase):
    def test_every_kind_has_its_endpoint(self):
        self.user.is_superuser = True
        self.user.save()
        response = self.client.get(reverse('plugins-api:netbox_hedgehog-api:api-root'), **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(
            sorted(response.data),
            sorted(['fabrics', 'sync-runs', 'sync-changes', *(kind.slug for kind in KINDS)]),
        )
        self.assertEqual(response.data['switch-groups'], 'http://testserver' + api_url('switch-groups'))


class FabricCredentialTest(APITestCase):
    """Credentials go in through the API and never come out of it."""

    def setUp(self):
        super().setUp()
        self.add_permissions(*(f'netbox_hedgehog.{action}_fabric' for action in ('view', 'add', 'change')))

    def test_kubeconfig_alone_creates_a_usable_fabric(self):
        response = self.client.post(api_url('fabrics'), {'name': 'env-ci-1', 'kubeconfig': KUBECONFIG},
                                    format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        self.assertEqual(response.data['kubernetes_server'], '')
        self.assertIs(response.data['kubeconfig_set'], True)
        self.assertIs(response.data['kubernetes_token_set'], False)
        fabric = Fabric.objects.get(pk=response.data['id'])
        self.assertEqual(reveal_credential(fabric, 'kubeconfig'), KUBECONFIG)
        self.assertNotIn('kubeconfig-secret-token', fabric.kubeconfig_encrypted)

    def test_credentials_are_never_returned(self):
        secrets = {
            'kubeconfig': KUBECONFIG, 'kubernetes_token': 'eyJhbGciOiJSUzI1NiJ9.reader-token',
            'git_token': 'ghp_demoGitopsToken', 'git_ssh_key': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n',
        }
        response = self.client.post(api_url('fabrics'), {'name': 'env-ci-1', 'git_url': 'ssh://git@github.com/x/y',
                                                         'kubernetes_server': 'https://172.30.0.1:6443', **secrets},
                                    format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        pk = response.data['id']
        fabric = Fabric.objects.get(pk=pk)
        for name, secret in secrets.items():
            self.assertEqual(reveal_credential(fabric, name), secret)
        responses = (
            response,
            self.client.get(api_url('fabrics', pk), **self.header),
            self.client.get(api_url('fabrics'), **self.header),
            self.client.get(api_url('fabrics') + '?brief=1', **self.header),
            self.client.patch(api_url('fabrics', pk), {'description': 'edited'}, format='json', **self.header),
        )
        for each in responses:
            body = each.content.decode()
            for name in secrets:
                self.assertNotIn(f'"{name}"', body)
                self.assertNotIn(f'"{name}_encrypted"', body)
            for value in ('kubeconfig-secret-token', 'reader-token', 'ghp_demoGitopsToken', 'OPENSSH'):
                self.assertNotIn(value, body)
        detail = responses[1].data
        self.assertEqual(
            [detail[f'{name}_set'] for name in secrets], [True, True, True, True],
        )

    def test_empty_string_clears_a_credential(self):
        fabric = create_fabric('env-ci-1', git_token='ghp_old', kubernetes_token='old-token')
        response = self.client.patch(api_url('fabrics', fabric.pk), {'git_token': ''}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertIs(response.data['git_token_set'], False)
        self.assertIs(response.data['kubernetes_token_set'], True)
        fabric.refresh_from_db()
        self.assertEqual((fabric.git_token_encrypted, reveal_credential(fabric, 'kubernetes_token')), ('', 'old-token'))

    def test_sync_interval_below_minimum_is_rejected(self):
        response = self.client.post(api_url('fabrics'), {'name': 'env-ci-1', 'kubeconfig': KUBECONFIG,
                                                         'sync_interval': 30}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertEqual(list(response.data), ['sync_interval'])
        self.assertIn('at least 60 seconds', str(response.data['sync_interval'][0]))
        self.assertFalse(Fabric.objects.exists())

        fabric = create_fabric('env-ci-1')
        response = self.client.patch(api_url('fabrics', fabric.pk), {'sync_interval': 59}, format='json',
                                     **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('sync_interval', response.data)
        fabric.refresh_from_db()
        self.assertEqual(fabric.sync_interval, 300)

    def test_token_without_server_is_rejected(self):
        response = self.client.post(api_url('fabrics'), {'name': 'env-ci-1', 'kubernetes_token': 'tok'},
                                    format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        self.assertIn('kubernetes_server', response.data)

    def test_sync_state_is_read_only(self):
        fabric = create_fabric('env-ci-1')
        response = self.client.patch(api_url('fabrics', fabric.pk), {
            'sync_status': 'synced', 'connection_status': 'connected', 'last_sync_error': 'none', 'failure_count': 9,
        }, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['sync_status']['value'], 'never_synced')
        fabric.refresh_from_db()
        self.assertEqual((fabric.sync_status, fabric.connection_status, fabric.failure_count),
                         ('never_synced', 'unknown', 0))


class ResourceAPITest(APITestCase):
    """Two fabrics: env-ci-1 (lab-ci env-ci-1.l, four leaves and two spines) and env-2 (two spines of its own)."""

    @classmethod
    def setUpTestData(cls):
        cls.lab = create_fabric('env-ci-1')
        cls.other = create_fabric('env-2')
        create_objects(Switch, cls.lab, [
            ('ds3000-01', DS3000_01), ('ds3000-02', DS3000_02), ('ds3000-03', DS3000_03),
            ('sse-c4632-01', SSE_C4632_01), ('ds4000-01', DS4000_01), ('ds4000-02', DS4000_02),
        ])
        create_objects(Switch, cls.other, [('spine-01', DS4000_01), ('spine-02', DS4000_02),
                                           ('leaf-01', DS3000_01)])
        create_objects(Connection, cls.lab, [
            ('server-1--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_1),
            ('server-2--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_2),
            ('server-3--bundled--ds3000-01', BUNDLED_SERVER_3),
            ('server-7--unbundled--ds3000-03', UNBUNDLED_SERVER_7),
            ('ds4000-01--fabric--ds3000-01', FABRIC_SPINE_1_LEAF_1),
            ('ds4000-02--fabric--ds3000-01', FABRIC_SPINE_2_LEAF_1),
            ('ds3000-01--vpc-loopback', VPC_LOOPBACK_DS3000_01),
            ('ds3000-03--external--ds2000-02', EXTERNAL_DS3000_03),
            ('ds4000-01--gateway--gateway-1', GATEWAY_SPINE_1),
        ])
        create_objects(Connection, cls.other, [('server-1--eslag--leaf-01', ESLAG_SERVER_1)])
        create_objects(VPC, cls.lab, [('demo-vpc-1', DEMO_VPC_1), ('demo-vpc-2', DEMO_VPC_2),
                                      ('demo-vpc-3', DEMO_VPC_3)])
        create_objects(VPC, cls.other, [('vpc-01', VPC_01), ('vpc-02', VPC_02), ('vpc-1101', DEMO_VPC_1)])
        for fabric in (cls.lab, cls.other):
            create_surroundings(fabric, Switch, Connection, VPC)

    def setUp(self):
        super().setUp()
        for model in ('switch', 'connection', 'vpc', 'vlannamespace'):
            self.add_permissions(f'netbox_hedgehog.view_{model}', f'netbox_hedgehog.add_{model}',
                                 f'netbox_hedgehog.change_{model}')

    def names(self, slug, query):
        response = self.client.get(f'{api_url(slug)}?{query}', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual(response.data['count'], len(response.data['results']))
        return sorted(obj['name'] for obj in response.data['results'])

    def test_connection_typed_columns_follow_the_spec(self):
        response = self.client.post(api_url('connections'), {
            'fabric': self.lab.pk, 'name': 'server-5--eslag--ds3000-01--ds3000-02', 'spec': {'eslag': {'links': [
                {'server': {'port': 'server-5/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/1/1'}},
                {'server': {'port': 'server-5/enp2s2'}, 'switch': {'port': 'ds3000-02/E1/1'}},
            ]}},
            # Typed columns are derived from the spec and the GitOps state from Git and the cluster; values sent
            # for them are ignored.
            'switches': ['spine-9'], 'connection_type': 'fabric', 'drift_status': 'in_sync', 'observed': {'spec': {}},
        }, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED)
        data = response.data
        self.assertEqual(data['kind'], 'Connection')
        self.assertEqual(data['api_version'], 'wiring.githedgehog.com/v1beta1')
        self.assertEqual(data['connection_type'], {'value': 'eslag', 'label': 'ESLAG'})
        self.assertEqual(data['switches'], ['ds3000-01', 'ds3000-02'])
        self.assertEqual(data['servers'], ['server-5'])
        self.assertEqual(data['gateways'], [])
        self.assertEqual(data['ports'], ['server-5/enp2s1', 'ds3000-01/E1/1/1', 'server-5/enp2s2', 'ds3000-02/E1/1'])
        self.assertEqual(data['link_count'], 2)
        breakout = next(e for e in data['endpoints'] if e['port'] == 'E1/1/1')
        self.assertEqual((breakout['device'], breakout['base_port'], breakout['breakout']), ('ds3000-01', 'E1/1', 1))
        self.assertEqual(data['fabric']['name'], 'env-ci-1')
        self.assertEqual((data['drift_status'], data['observed']), (None, None))

    def test_switch_typed_columns_follow_the_spec(self):
        switch = Switch.objects.get(fabric=self.lab, name='ds3000-03')
        response = self.client.get(api_url('switches', switch.pk), **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        data = response.data
        self.assertEqual(data['role'], {'value': 'server-leaf', 'label': 'Server leaf'})
        self.assertEqual(
            [data[key] for key in ('asn', 'ip', 'protocol_ip', 'vtep_ip', 'boot_serial', 'redundancy_group',
                                   'groups', 'vlan_namespaces', 'breakouts')],
            [65102, '172.30.0.10/21', '172.30.8.5/32', '172.30.12.4/32', 'DX030F2B043607UB200027', 'eslag-1',
             ['border', 'eslag-1'], ['default'], {'E1/1': '4x10G', 'E1/11': '4x10G'}],
        )
        self.assertEqual((data['uid'], data['resource_version'], data['generation']),
                         (switch.uid, switch.resource_version, 1))

    def test_editing_the_spec_updates_the_typed_columns(self):
        switch = Switch.objects.get(fabric=self.lab, name='ds3000-03')
        spec = {**DS3000_03, 'role': 'border-leaf', 'asn': 65110}
        response = self.client.patch(api_url('switches', switch.pk), {'spec': spec}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        self.assertEqual((response.data['role']['value'], response.data['asn']), ('border-leaf', 65110))
        self.assertEqual(self.names('switches', 'role=border-leaf'), ['ds3000-03'])

    def test_filter_by_fabric_and_typed_columns(self):
        lab, other = self.lab.pk, self.other.pk
        self.assertEqual(len(self.names('switches', f'fabric_id={lab}')), 6)
        self.assertEqual(self.names('switches', f'fabric_id={other}'), ['leaf-01', 'spine-01', 'spine-02'])
        self.assertEqual(len(self.names('switches', 'role=spine')), 4)
        self.assertEqual(self.names('switches', f'role=spine&fabric_id={lab}'), ['ds4000-01', 'ds4000-02'])
        self.assertEqual(self.names('switches', 'fabric=env-2&role=server-leaf'), ['leaf-01'])
        self.assertEqual(self.names('switches', 'group=border'), ['ds3000-03', 'sse-c4632-01'])
        self.assertEqual(self.names('switches', 'asn=65100&fabric_id=' + str(lab)), ['ds4000-01', 'ds4000-02'])
        self.assertEqual(self.names('switches', 'boot_serial=SSC46AN03020014'), ['sse-c4632-01'])

        # Connections touching ds3000-01 in the lab: two ESLAG, one bundled, two fabric links, its VPC loopback.
        self.assertEqual(self.names('connections', f'switch=ds3000-01&fabric_id={lab}'), [
            'ds3000-01--vpc-loopback', 'ds4000-01--fabric--ds3000-01', 'ds4000-02--fabric--ds3000-01',
            'server-1--eslag--ds3000-01--ds3000-02', 'server-2--eslag--ds3000-01--ds3000-02',
            'server-3--bundled--ds3000-01',
        ])
        self.assertEqual(len(self.names('connections', 'switch=ds3000-01')), 7)
        self.assertEqual(self.names('connections', 'connection_type=eslag'), [
            'server-1--eslag--ds3000-01--ds3000-02', 'server-1--eslag--leaf-01',
            'server-2--eslag--ds3000-01--ds3000-02',
        ])
        self.assertEqual(self.names('connections', 'port=ds3000-01/E1/1/3'), ['server-2--eslag--ds3000-01--ds3000-02'])
        self.assertEqual(self.names('connections', 'server=server-7'), ['server-7--unbundled--ds3000-03'])
        self.assertEqual(self.names('connections', 'gateway=gateway-1'), ['ds4000-01--gateway--gateway-1'])

        self.assertEqual(self.names('vpcs', 'vlan=1101'), ['demo-vpc-1', 'vpc-1101'])
        self.assertEqual(self.names('vpcs', f'vlan=1101&fabric_id={lab}'), ['demo-vpc-1'])
        self.assertEqual(self.names('vpcs', 'vlan=1131&vlan=1002'), ['demo-vpc-3', 'vpc-02'])
        self.assertEqual(self.names('vpcs', 'subnet=10.0.1.0/24'), ['vpc-01'])
        self.assertEqual(self.names('vpcs', 'subnet_name=subnet-2'), ['demo-vpc-3'])

    def test_invalid_spec_is_a_400_naming_the_field(self):
        cases = (
            ('switches', {'role': 'spine', 'asn': 'sixty-five'}, 'spec.asn: expected an integer'),
            ('connections', {**ESLAG_SERVER_1, **BUNDLED_SERVER_3},
             'spec: a Connection needs exactly one connection type key, found 2 (bundled, eslag)'),
            ('connections', {'unbundled': {'link': {'switch': {'port': 'ds3000-03/Ethernet1'}}}},
             "spec.unbundled.link.switch.port: switch port 'ds3000-03/Ethernet1' does not parse"),
            ('vlan-namespaces', {'ranges': [{'from': 0, 'to': 5000}]},
             'spec.ranges[0]: expected 1 <= from <= to <= 4094, got 0-5000'),
            ('vpcs', {'subnets': {'default': {'subnet': '10.10.1.0/24', 'vlan': 'ten'}}},
             "expected an integer, got str 'ten'"),
        )
        for slug, spec, message in cases:
            with self.subTest(slug=slug, message=message):
                response = self.client.post(api_url(slug), {'fabric': self.lab.pk, 'name': 'broken', 'spec': spec},
                                            format='json', **self.header)
                self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
                self.assertEqual(list(response.data), ['spec'])
                self.assertIn(message, str(response.data['spec'][0]))
        self.assertFalse(Switch.objects.filter(name='broken').exists())

    def test_duplicate_name_in_a_fabric_is_a_400(self):
        response = self.client.post(api_url('switches'), {'fabric': self.lab.pk, 'name': 'ds3000-01',
                                                          'spec': DS3000_01}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_400_BAD_REQUEST)
        response = self.client.post(api_url('switches'), {'fabric': self.other.pk, 'name': 'ds3000-01',
                                                          'spec': DS3000_01}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_201_CREATED)

    def test_list_query_count_does_not_grow_with_the_list(self):
        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(api_url('connections'), **self.header)
            self.assertHttpStatus(response, status.HTTP_200_OK)
            return response.data['count'], len(queries)

        count_queries()  # the first request of a test loads per-process caches
        before = count_queries()
        create_objects(Connection, self.other, [(f'server-{i}--unbundled--leaf-01', {'unbundled': {'link': {
            'server': {'port': f'server-{i}/enp2s1'}, 'switch': {'port': f'leaf-01/E1/{i}'}}}}) for i in range(20)])
        after = count_queries()
        self.assertEqual((before[0] + 20, before[1]), after)


class GraphQLSchemaTest(APITestCase):
    def query(self, query):
        response = self.client.post(reverse('graphql'), data={'query': query}, format='json', **self.header)
        self.assertHttpStatus(response, status.HTTP_200_OK)
        return json.loads(response.content)

    def test_type_names_carry_the_plugin_prefix(self):
        from netbox.graphql.schema import schema

        def origin_module(graphql_type):
            definition = (getattr(graphql_type, 'extensions', None) or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            return getattr(getattr(definition, 'origin', None), '__module__', '')

        plugin_types = {
            name: graphql_type for name, graphql_type in schema._schema.type_map.items()
            if origin_module(graphql_type).startswith('netbox_hedgehog.') or 'Hedgehog' in name
        }
        self.assertEqual([name for name in plugin_types if not name.startswith('NetBoxHedgehog')], [])
        object_types = sorted(name for name, graphql_type in plugin_types.items()
                              if origin_module(graphql_type) == 'netbox_hedgehog.graphql.types')
        self.assertEqual(len(object_types), 19)
        self.assertIn('NetBoxHedgehogFabricType', object_types)
        self.assertIn('NetBoxHedgehogVPCAttachmentType', object_types)

    def test_fabric_type_exposes_whether_credentials_are_set_but_not_their_values(self):
        self.add_permissions('netbox_hedgehog.view_fabric')
        create_fabric('env-ci-1', kubeconfig=KUBECONFIG)
        data = self.query('{ hedgehog_fabric_list { name kubeconfig_set kubernetes_token_set git_token_set } }')
        self.assertEqual(data['data']['hedgehog_fabric_list'], [
            {'name': 'env-ci-1', 'kubeconfig_set': True, 'kubernetes_token_set': False, 'git_token_set': False},
        ])
        fields = {field.name for field in FabricType.__strawberry_definition__.fields}
        self.assertEqual({name for name in fields if 'kubeconfig' in name or 'token' in name or 'ssh' in name},
                         {'kubeconfig_set', 'kubernetes_token_set', 'git_token_set', 'git_ssh_key_set'})
        data = self.query('{ hedgehog_fabric_list { kubeconfig_encrypted } }')
        self.assertIn("Cannot query field 'kubeconfig_encrypted'", data['errors'][0]['message'])

    def test_fabric_lists_its_switches_and_filters_by_typed_column(self):
        self.add_permissions('netbox_hedgehog.view_fabric', 'netbox_hedgehog.view_switch')
        fabric = create_fabric('env-ci-1')
        create_objects(Switch, fabric, [('ds3000-01', DS3000_01), ('ds4000-01', DS4000_01),
                                        ('ds4000-02', DS4000_02)])
        data = self.query('{ hedgehog_fabric_list { name switches { name role asn } } }')
        self.assertEqual(sorted(s['name'] for s in data['data']['hedgehog_fabric_list'][0]['switches']),
                         ['ds3000-01', 'ds4000-01', 'ds4000-02'])
        data = self.query('{ hedgehog_switch_list(filters: {role: {exact: ROLE_SPINE}}) { name kind api_version } }')
        self.assertEqual(data['data']['hedgehog_switch_list'], [
            {'name': 'ds4000-01', 'kind': 'Switch', 'api_version': 'wiring.githedgehog.com/v1beta1'},
            {'name': 'ds4000-02', 'kind': 'Switch', 'api_version': 'wiring.githedgehog.com/v1beta1'},
        ])
        data = self.query('{ hedgehog_switch_list(filters: {groups: {contains: ["eslag-2"]}}) { name } }')
        self.assertEqual(data['data']['hedgehog_switch_list'], [{'name': 'ds3000-01'}])
