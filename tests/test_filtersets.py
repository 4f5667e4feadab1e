"""Filter sets (REST list filters and UI filter forms): NetBox's filter-set test mixin for every model, which also
checks that every model field has a filter, and exact counts for each filter."""
from datetime import UTC, datetime
from unittest import mock

from utilities.testing import ChangeLoggedFilterSetTestMixin, TestCase

from netbox_hedgehog.filtersets import (
    ConnectionFilterSet,
    ExternalAttachmentFilterSet,
    ExternalFilterSet,
    ExternalPeeringFilterSet,
    FabricFilterSet,
    GatewayFilterSet,
    GatewayGroupFilterSet,
    GatewayPeeringFilterSet,
    IPv4NamespaceFilterSet,
    ServerFilterSet,
    SwitchFilterSet,
    SwitchGroupFilterSet,
    SwitchProfileFilterSet,
    VLANNamespaceFilterSet,
    VPCAttachmentFilterSet,
    VPCFilterSet,
    VPCPeeringFilterSet,
)
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

from .specs import (
    BUNDLED_SERVER_3,
    DEMO_VPC_1,
    DEMO_VPC_2,
    DEMO_VPC_3,
    DS3000_01,
    DS3000_03,
    DS3000_CATALOG,
    DS4000_01,
    DS4000_CATALOG,
    ESLAG_SERVER_1,
    EXTERNAL_DS3000_03,
    FABRIC_SPINE_1_LEAF_1,
    GATEWAY_1,
    GATEWAY_2,
    GATEWAY_SPINE_1,
    KUBECONFIG,
    SSE_C4632_01,
    VPC_01,
    VS_CATALOG,
    create_fabric,
    gateway_peering_spec,
)


def at(day):
    return datetime(2025, 3, day, 12, 0, tzinfo=UTC)


class FilterSetTests(ChangeLoggedFilterSetTestMixin):
    """NetBox's filter-set test mixin, pointed at the plugin's filter sets."""

    def count(self, **params):
        return self.filterset(params, self.queryset).qs.count()

    def test_missing_filters(self):
        # NetBox imports <package>.filtersets.<Model>FilterSet, taking the package from the test's module path; this
        # suite lives in tests/, outside the plugin package.
        with mock.patch.object(type(self), '__module__', f'netbox_hedgehog.{__name__}'):
            super().test_missing_filters()


class FabricFilterSetTest(FilterSetTests, TestCase):
    queryset = Fabric.objects.all()
    filterset = FabricFilterSet
    ignore_fields = (
        # Credentials (encrypted) and the CA bundle (a PEM document) are not something to filter on; the credentials
        # are never exposed at all.
        'kubeconfig_encrypted', 'kubernetes_token_encrypted', 'git_token_encrypted', 'git_ssh_key_encrypted',
        'kubernetes_ca_cert',
        # Free-text diagnostics written by the sync: filtered through sync_status/connection_status instead.
        'last_sync_error', 'connection_message',
        # Lists of kind names (and of kind/name deletions waiting for review) shown on the fabric page, not something
        # to look a fabric up by.
        'git_kinds', 'git_kinds_found', 'git_review_deletions',
        # Diagnostics shown on the fabric page (the deletions its cluster refused; the fabric controller's settings the
        # admission rules use, and where they were read or why none are known).
        'cluster_delete_failures', 'fabric_settings', 'fabric_settings_source',
        # The sync's own bookkeeping (what the stored cabling check and inventory projection were computed from), shown
        # nowhere.
        'live_check_digest', 'inventory_digest',
    )

    @classmethod
    def setUpTestData(cls):
        fabrics = (
            create_fabric('env-ci-1', description='lab-ci hardware lab', sync_enabled=True, sync_interval=300),
            create_fabric('env-ci-2', status='planned', kubernetes_server='https://172.31.0.1:6443', verify_tls=False,
                          git_url='https://github.com/githedgehog/lab-ci.git', git_path='envs/env-ci-1.l',
                          git_author_name='Lab Bot', git_author_email='lab-bot@example.com', sync_interval=600),
            create_fabric('demo', status='maintenance', kubernetes_server='', kubeconfig=KUBECONFIG,
                          kubernetes_namespace='fab', git_url='https://github.com/githedgehog/demo-gitops.git',
                          git_branch='env-1', git_path='env-1', sync_enabled=True, sync_interval=900,
                          allow_empty_kinds=True),
            create_fabric('retired', status='decommissioning', description='old lab', sync_interval=900),
        )
        Fabric.objects.filter(pk=fabrics[0].pk).update(
            sync_status='synced', last_sync=at(1), last_sync_attempt=at(1), connection_status='connected',
            next_sync_due=at(2),
        )
        Fabric.objects.filter(pk=fabrics[1].pk).update(
            sync_status='failed', last_sync_attempt=at(3), connection_status='failed', failure_count=3,
            next_sync_due=at(4), last_sync_error='certificate verify failed',
        )
        Fabric.objects.filter(pk=fabrics[2].pk).update(
            sync_status='out_of_sync', last_sync=at(1), last_sync_attempt=at(3), connection_status='connected',
            git_commit='d2e1f49e0c7b2a4f9e1d3c5b7a9f0e2d4c6b8a0f', drift_count=2,
        )

    def test_name(self):
        self.assertEqual(self.count(name=['env-ci-1', 'demo']), 2)

    def test_description(self):
        self.assertEqual(self.count(description=['old lab']), 1)
        self.assertEqual(self.count(description__ic=['lab']), 2)

    def test_status(self):
        self.assertEqual(self.count(status=['planned', 'maintenance']), 2)

    def test_kubernetes_server(self):
        self.assertEqual(self.count(kubernetes_server=['https://172.30.0.1:6443']), 2)
        self.assertEqual(self.count(kubernetes_server__empty='true'), 1)

    def test_kubernetes_namespace(self):
        self.assertEqual(self.count(kubernetes_namespace=['fab']), 1)

    def test_verify_tls(self):
        self.assertEqual(self.count(verify_tls='false'), 1)

    def test_git_url(self):
        self.assertEqual(self.count(git_url__ic=['githedgehog']), 2)

    def test_git_branch(self):
        self.assertEqual(self.count(git_branch=['main']), 3)

    def test_git_path(self):
        self.assertEqual(self.count(git_path=['env-1', 'envs/env-ci-1.l']), 2)

    def test_git_author(self):
        self.assertEqual(self.count(git_author_name=['Lab Bot']), 1)
        self.assertEqual(self.count(git_author_email=['netbox-hedgehog@localhost']), 3)

    def test_git_commit(self):
        self.assertEqual(self.count(git_commit__isw=['d2e1f49e']), 1)

    def test_drift_count(self):
        self.assertEqual(self.count(drift_count__gt=['0']), 1)

    def test_sync_enabled(self):
        self.assertEqual(self.count(sync_enabled='true'), 2)

    def test_sync_interval(self):
        self.assertEqual(self.count(sync_interval=[900]), 2)
        self.assertEqual(self.count(sync_interval__lt=[600]), 1)

    def test_allow_empty_kinds(self):
        self.assertEqual(self.count(allow_empty_kinds='true'), 1)

    def test_sync_status(self):
        self.assertEqual(self.count(sync_status=['synced', 'out_of_sync']), 2)
        self.assertEqual(self.count(sync_status=['never_synced']), 1)

    def test_drift_status(self):
        # The Drift axis is derived from the Git settings and the drift count: env-ci-2 has Git settings and no drift.
        self.assertEqual(self.count(drift_status=['not_tracked']), 2)
        self.assertEqual(self.count(drift_status=['in_sync']), 1)
        self.assertEqual(self.count(drift_status=['drifted']), 1)
        self.assertEqual(self.count(drift_status=['in_sync', 'drifted']), 2)

    def test_connection_status(self):
        self.assertEqual(self.count(connection_status=['connected']), 2)
        self.assertEqual(self.count(connection_status=['unknown']), 1)

    def test_last_sync(self):
        self.assertEqual(self.count(last_sync=[at(1).isoformat()]), 2)
        self.assertEqual(self.count(last_sync__empty='true'), 2)

    def test_last_sync_attempt(self):
        self.assertEqual(self.count(last_sync_attempt__gte=[at(2).isoformat()]), 2)

    def test_failure_count(self):
        self.assertEqual(self.count(failure_count__gt=['0']), 1)

    def test_next_sync_due(self):
        self.assertEqual(self.count(next_sync_due__lte=[at(3).isoformat()]), 1)

    def test_q(self):
        self.assertEqual(self.count(q='demo-gitops'), 1)
        self.assertEqual(self.count(q='172.31.0.1'), 1)


# GitOps state of the first objects of each kind: one in sync, one differing with an edit waiting for Git, one
# missing from the cluster; the others have no Git state.
GITOPS_STATE = (
    {'drift_status': 'in_sync', 'observed': {}, 'git_file': 'env-1/wiring.yaml'},
    {'drift_status': 'differs', 'observed': {}, 'git_file': 'env-1/wiring.yaml', 'git_pending_since': at(5)},
    {'drift_status': 'missing_from_cluster', 'git_file': 'env-1/vpcs.yaml'},
)


class ResourceFilterSetTests(FilterSetTests):
    """Filters every kind has. Subclasses define `objects`: (name, spec) pairs, the last one in a second fabric."""
    objects = ()
    ignore_fields = (
        # The spec, the Kubernetes metadata, the observed state and the drift diff are JSON documents: they are
        # filtered through the typed columns derived from them, drift_status and `q`, not as a whole.
        'spec', 'labels', 'annotations', 'observed', 'drift_diff',
        # An opaque digest that detects concurrent edits, not something to look an object up by.
        'git_digest',
        # The sync's cache of the content's digest and of the version it mirrors: its own bookkeeping.
        'content_key', 'content_digest', 'verified_version',
        # The API server's message after a failed apply: free text, found through apply_pending_since and the page.
        'apply_error',
    )

    @classmethod
    def setUpTestData(cls):
        lab, other = create_fabric('env-ci-1'), create_fabric('env-2')
        model = cls.queryset.model
        for i, (name, spec) in enumerate(cls.objects):
            gitops = GITOPS_STATE[i] if i < len(GITOPS_STATE) else {}
            model.objects.create(
                fabric=other if i == len(cls.objects) - 1 else lab, name=name, spec=spec,
                uid=f'5f1c7a0e-0000-4000-8000-{i:012d}', resource_version=str(41000 + i), generation=i + 1,
                creation_timestamp=at(i + 1), **gitops,
            )

    def names(self, **params):
        return sorted(self.filterset(params, self.queryset).qs.values_list('name', flat=True))

    def test_fabric(self):
        lab, other = Fabric.objects.get(name='env-ci-1'), Fabric.objects.get(name='env-2')
        self.assertEqual(self.count(fabric_id=[lab.pk]), len(self.objects) - 1)
        self.assertEqual(self.count(fabric_id=[lab.pk, other.pk]), len(self.objects))
        self.assertEqual(self.names(fabric=['env-2']), [self.objects[-1][0]])

    def test_name(self):
        self.assertEqual(self.count(name=[self.objects[0][0], self.objects[1][0]]), 2)

    def test_uid(self):
        self.assertEqual(self.names(uid=['5f1c7a0e-0000-4000-8000-000000000001']), [self.objects[1][0]])

    def test_resource_version(self):
        self.assertEqual(self.count(resource_version=['41000', '41001']), 2)

    def test_generation(self):
        self.assertEqual(self.count(generation__gte=[2]), len(self.objects) - 1)

    def test_creation_timestamp(self):
        self.assertEqual(self.count(creation_timestamp__lt=[at(3).isoformat()]), 2)

    def test_drift_status(self):
        self.assertEqual(self.count(drift_status=['differs', 'missing_from_cluster']), 2)
        self.assertEqual(self.names(drift_status=['in_sync']), [self.objects[0][0]])

    def test_git_file(self):
        self.assertEqual(self.count(git_file=['env-1/wiring.yaml']), 2)

    def test_git_pending_since(self):
        self.assertEqual(self.names(git_pending_since__empty='false'), [self.objects[1][0]])

    def test_q(self):
        self.assertEqual(self.names(q=self.objects[-1][0]), [self.objects[-1][0]])
        self.assertEqual(self.count(q='5f1c7a0e-0000-4000-8000-000000000002'), 1)


class VLANNamespaceFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = VLANNamespace.objects.all()
    filterset = VLANNamespaceFilterSet
    filter_name_map = {'ranges': 'range'}
    objects = (
        ('default', {'ranges': [{'from': 1000, 'to': 2999}]}),
        ('tenant-a', {'ranges': [{'from': 3000, 'to': 3099}, {'from': 3200}]}),
        ('tenant-b', {'ranges': [{'from': 3200}]}),
        ('default-2', {'ranges': [{'from': 1000, 'to': 2999}]}),
    )

    def test_range(self):
        self.assertEqual(self.names(range=['3200-3200']), ['tenant-a', 'tenant-b'])
        self.assertEqual(self.count(range=['1000-2999', '3000-3099']), 3)


class SwitchGroupFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = SwitchGroup.objects.all()
    filterset = SwitchGroupFilterSet
    objects = (('eslag-1', {}), ('eslag-2', {}), ('border', {}), ('empty', {}))


class SwitchProfileFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = SwitchProfile.objects.all()
    filterset = SwitchProfileFilterSet
    objects = (
        ('celestica-ds3000', DS3000_CATALOG),
        ('celestica-ds4000', DS4000_CATALOG),
        ('vs', VS_CATALOG),
        ('celestica-ds3000-b', DS3000_CATALOG),
    )

    def test_display_name(self):
        self.assertEqual(self.count(display_name=['Celestica DS3000']), 2)

    def test_switch_silicon(self):
        self.assertEqual(self.names(switch_silicon__ic=['TH3']), ['celestica-ds4000'])

    def test_nos_type(self):
        self.assertEqual(self.count(nos_type=['sonic-bcm-base']), 3)

    def test_platform(self):
        self.assertEqual(self.names(platform=['x86_64-kvm_x86_64-r0']), ['vs'])

    def test_port_count(self):
        self.assertEqual(self.count(port_count=[3]), 2)
        self.assertEqual(self.count(port_count__lt=[3]), 2)


class SwitchFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = Switch.objects.all()
    filterset = SwitchFilterSet
    filter_name_map = {'groups': 'group', 'vlan_namespaces': 'vlan_namespace'}
    # Port breakouts are a map of port to mode: shown with the switch, not a filter criterion. The live state is
    # filtered through health, nos_version and serial (tests/test_live.py).
    ignore_fields = (*ResourceFilterSetTests.ignore_fields, 'breakouts', 'live_state')
    objects = (
        ('ds3000-01', DS3000_01),
        ('ds3000-03', DS3000_03),
        ('ds4000-01', DS4000_01),
        ('sse-c4632-01', SSE_C4632_01),
        ('leaf-01', {'role': 'border-leaf', 'profile': 'vs', 'vlanNamespaces': ['default', 'tenant-a'], 'asn': 65200,
                     'ip': '172.30.1.1/21', 'protocolIP': '172.30.9.1/32', 'vtepIP': '172.30.13.1/32',
                     'boot': {'mac': '0c:20:12:ff:01:00'}}),
    )

    def test_role(self):
        self.assertEqual(self.count(role=['server-leaf']), 3)
        self.assertEqual(self.names(role=['spine', 'border-leaf']), ['ds4000-01', 'leaf-01'])

    def test_description(self):
        self.assertEqual(self.names(description=['leaf-3']), ['ds3000-03'])

    def test_profile(self):
        self.assertEqual(self.count(profile=['celestica-ds3000']), 2)

    def test_group(self):
        self.assertEqual(self.names(group=['border']), ['ds3000-03', 'sse-c4632-01'])
        self.assertEqual(self.count(group=['eslag-1', 'eslag-2']), 3)

    def test_redundancy(self):
        self.assertEqual(self.count(redundancy_group=['eslag-1']), 2)
        self.assertEqual(self.count(redundancy_type=['eslag']), 3)

    def test_vlan_namespace(self):
        self.assertEqual(self.count(vlan_namespace=['default']), 5)
        self.assertEqual(self.names(vlan_namespace=['tenant-a']), ['leaf-01'])

    def test_asn(self):
        self.assertEqual(self.count(asn=[65102]), 2)
        self.assertEqual(self.count(asn__gte=[65102]), 3)

    def test_ip(self):
        self.assertEqual(self.names(ip=['172.30.0.8/21']), ['ds3000-01'])
        self.assertEqual(self.names(protocol_ip=['172.30.8.1/32']), ['ds4000-01'])
        self.assertEqual(self.count(vtep_ip=['172.30.12.4/32']), 2)
        self.assertEqual(self.count(vtep_ip__empty='true'), 1)

    def test_boot(self):
        self.assertEqual(self.names(boot_serial=['SSC46AN03020014']), ['sse-c4632-01'])
        self.assertEqual(self.names(boot_mac=['0c:20:12:ff:01:00']), ['leaf-01'])


class ServerFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = Server.objects.all()
    filterset = ServerFilterSet
    objects = (
        ('server-1', {}),
        ('server-2', {'description': 'database'}),
        ('server-3', {'description': 'database', 'profile': 'x86'}),
        ('server-01', {'profile': 'x86'}),
    )

    def test_description(self):
        self.assertEqual(self.count(description=['database']), 2)

    def test_profile(self):
        self.assertEqual(self.names(profile=['x86']), ['server-01', 'server-3'])


class ConnectionFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = Connection.objects.all()
    filterset = ConnectionFilterSet
    filter_name_map = {'switches': 'switch', 'servers': 'server', 'gateways': 'gateway', 'ports': 'port'}
    # The parsed endpoints (one object per port) back the switch/server/gateway/port filters.
    ignore_fields = (*ResourceFilterSetTests.ignore_fields, 'endpoints')
    objects = (
        ('server-1--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_1),
        ('server-3--bundled--ds3000-01', BUNDLED_SERVER_3),
        ('ds4000-01--fabric--ds3000-01', FABRIC_SPINE_1_LEAF_1),
        ('ds3000-03--external--ds2000-02', EXTERNAL_DS3000_03),
        ('ds4000-01--gateway--gateway-1', GATEWAY_SPINE_1),
        ('ds3000-03--static-external', {'staticExternal': {
            'link': {'switch': {'port': 'ds3000-03/E1/1/3', 'ip': '172.31.255.1/24', 'nextHop': '172.31.255.5',
                                'subnets': ['10.99.0.0/24'], 'vlan': 100}},
            'withinVPC': 'vpc-1',
        }}),
    )

    def test_connection_type(self):
        self.assertEqual(self.count(connection_type=['eslag', 'bundled']), 2)
        self.assertEqual(self.names(connection_type=['gateway']), ['ds4000-01--gateway--gateway-1'])

    def test_switch(self):
        self.assertEqual(self.count(switch=['ds3000-01']), 3)
        self.assertEqual(self.count(switch=['ds3000-03', 'ds4000-01']), 4)

    def test_server(self):
        self.assertEqual(self.count(server=['server-1', 'server-3']), 2)

    def test_gateway(self):
        self.assertEqual(self.names(gateway=['gateway-1']), ['ds4000-01--gateway--gateway-1'])

    def test_port(self):
        self.assertEqual(self.names(port=['ds3000-01/E1/1/4']), ['server-3--bundled--ds3000-01'])
        self.assertEqual(self.count(port=['ds3000-01/E1/28', 'ds3000-03/E1/1/4']), 2)

    def test_device(self):
        self.assertEqual(self.count(device=['gateway-1', 'server-3']), 2)
        self.assertEqual(self.count(device=['ds4000-01']), 2)

    def test_link_count(self):
        self.assertEqual(self.count(link_count=[2]), 3)

    def test_vpc(self):
        self.assertEqual(self.names(vpc=['vpc-1']), ['ds3000-03--static-external'])


class IPv4NamespaceFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = IPv4Namespace.objects.all()
    filterset = IPv4NamespaceFilterSet
    filter_name_map = {'subnets': 'subnet'}
    objects = (
        ('default', {'subnets': ['10.20.0.0/16']}),
        ('tenant-a', {'subnets': ['10.30.0.0/16', '10.31.0.0/16']}),
        ('tenant-b', {'subnets': ['10.40.0.0/16']}),
        ('default-2', {'subnets': ['10.20.0.0/16']}),
    )

    def test_subnet(self):
        self.assertEqual(self.count(subnet=['10.20.0.0/16']), 2)
        self.assertEqual(self.count(subnet=['10.31.0.0/16', '10.40.0.0/16']), 2)


class VPCFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = VPC.objects.all()
    filterset = VPCFilterSet
    filter_name_map = {'subnets': 'subnet', 'subnet_names': 'subnet_name', 'vlans': 'vlan'}
    objects = (
        ('demo-vpc-1', DEMO_VPC_1),
        ('demo-vpc-2', DEMO_VPC_2),
        ('demo-vpc-3', DEMO_VPC_3),
        ('vpc-01', VPC_01),
        ('vpc-l3', {'mode': 'l3vni', 'ipv4Namespace': 'tenant-a', 'vlanNamespace': 'tenant-a',
                    'subnets': {'default': {'subnet': '10.30.1.0/24', 'vlan': 3001}}}),
    )

    def test_mode(self):
        self.assertEqual(self.count(mode=['l2vni']), 4)
        self.assertEqual(self.names(mode=['l3vni']), ['vpc-l3'])

    def test_namespaces(self):
        self.assertEqual(self.count(ipv4_namespace=['default']), 4)
        self.assertEqual(self.names(vlan_namespace=['tenant-a']), ['vpc-l3'])

    def test_subnet(self):
        self.assertEqual(self.names(subnet=['10.10.132.0/24', '10.0.1.0/24']), ['demo-vpc-3', 'vpc-01'])

    def test_subnet_name(self):
        self.assertEqual(self.count(subnet_name=['default']), 4)

    def test_vlan(self):
        self.assertEqual(self.names(vlan=[1101]), ['demo-vpc-1'])
        self.assertEqual(self.count(vlan=[1131, 1102, 3001]), 3)


class VPCAttachmentFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = VPCAttachment.objects.all()
    filterset = VPCAttachmentFilterSet
    objects = (
        ('demo-vpc-1--server-1', {'connection': 'server-1--mclag--s5248-01--s5248-02', 'subnet': 'demo-vpc-1/default'}),
        ('demo-vpc-3--server-3', {'connection': 'server-3--bundled--s5248-01', 'subnet': 'demo-vpc-3/subnet-1'}),
        ('demo-vpc-3--server-4', {'connection': 'server-4--unbundled--s5248-02', 'subnet': 'demo-vpc-3/subnet-2',
                                  'nativeVLAN': True}),
        ('server-01--vpc-01', {'connection': 'server-01--unbundled--leaf-01', 'subnet': 'vpc-01'}),
    )

    def test_vpc(self):
        self.assertEqual(self.count(vpc=['demo-vpc-3']), 2)

    def test_subnet(self):
        # "vpc-01" alone names the VPC's default subnet.
        self.assertEqual(self.count(subnet=['default']), 2)
        self.assertEqual(self.names(subnet=['subnet-2']), ['demo-vpc-3--server-4'])

    def test_connection(self):
        self.assertEqual(self.names(connection=['server-3--bundled--s5248-01']), ['demo-vpc-3--server-3'])

    def test_native_vlan(self):
        self.assertEqual(self.count(native_vlan='true'), 1)
        self.assertEqual(self.count(native_vlan='false'), 3)


class VPCPeeringFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = VPCPeering.objects.all()
    filterset = VPCPeeringFilterSet
    filter_name_map = {'vpcs': 'vpc'}
    objects = (
        ('demo-vpc-1--demo-vpc-2', {'permit': [{'demo-vpc-1': {'subnets': ['default']},
                                                'demo-vpc-2': {'subnets': ['default']}}]}),
        ('demo-vpc-1--demo-vpc-3', {'permit': [{'demo-vpc-1': {}, 'demo-vpc-3': {}}]}),
        ('demo-vpc-2--demo-vpc-3', {'permit': [{'demo-vpc-2': {}, 'demo-vpc-3': {}}]}),
        ('vpc-01--vpc-02', {'permit': [{'vpc-01': None, 'vpc-02': None}]}),
    )

    def test_vpc(self):
        self.assertEqual(self.count(vpc=['demo-vpc-1']), 2)
        self.assertEqual(self.count(vpc=['demo-vpc-3', 'vpc-02']), 3)


class ExternalFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = External.objects.all()
    filterset = ExternalFilterSet
    filter_name_map = {'static_prefixes': 'static_prefix'}
    objects = (
        ('default', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:3001', 'outboundCommunity': '3001:65101'}),
        ('other', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:4001', 'outboundCommunity': '4001:65101'}),
        ('static-ext', {'ipv4Namespace': 'default', 'static': {'prefixes': ['0.0.0.0/0']}}),
        ('static-mgmt', {'ipv4Namespace': 'mgmt', 'static': {'prefixes': ['192.168.0.0/16', '0.0.0.0/0']}}),
    )

    def test_external_type(self):
        self.assertEqual(self.names(external_type=['bgp']), ['default', 'other'])
        self.assertEqual(self.count(external_type=['static']), 2)

    def test_ipv4_namespace(self):
        self.assertEqual(self.count(ipv4_namespace=['default']), 3)

    def test_communities(self):
        self.assertEqual(self.names(inbound_community=['65101:4001']), ['other'])
        self.assertEqual(self.names(outbound_community=['3001:65101']), ['default'])

    def test_static_prefix(self):
        self.assertEqual(self.count(static_prefix=['0.0.0.0/0']), 2)
        self.assertEqual(self.names(static_prefix=['192.168.0.0/16']), ['static-mgmt'])


class ExternalAttachmentFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = ExternalAttachment.objects.all()
    filterset = ExternalAttachmentFilterSet
    objects = (
        ('ds3000-03--default', {'external': 'default', 'connection': 'ds3000-03--external--ds2000-02',
                                'switch': {'vlan': 100, 'ip': '100.6.100.2/24'},
                                'neighbor': {'asn': 64102, 'ip': '100.6.100.6'}}),
        ('ds3000-03--other', {'external': 'other', 'connection': 'ds3000-03--external--ds2000-02',
                              'switch': {'vlan': 200, 'ip': '100.6.200.2/24'},
                              'neighbor': {'asn': 64102, 'ip': '100.6.200.6'}}),
        ('sse-c4632-01--default', {'external': 'default', 'connection': 'sse-c4632-01--external--ds2000-02',
                                   'switch': {'vlan': 100, 'ip': '100.8.100.2/24'},
                                   'neighbor': {'asn': 64103, 'ip': '100.8.100.6'}}),
        ('ds3000-03--static-ext', {'external': 'static-ext', 'connection': 'ds3000-03--external--ds2000-02',
                                   'static': {'remoteIP': '100.6.210.6', 'vlan': 210, 'ip': '100.6.210.2/24'}}),
    )

    def test_external_type(self):
        self.assertEqual(self.count(external_type=['bgp']), 3)
        self.assertEqual(self.names(external_type=['static']), ['ds3000-03--static-ext'])

    def test_external(self):
        self.assertEqual(self.count(external=['default']), 2)

    def test_connection(self):
        self.assertEqual(self.count(connection=['ds3000-03--external--ds2000-02']), 3)

    def test_vlan(self):
        self.assertEqual(self.count(vlan=[100]), 2)
        self.assertEqual(self.count(vlan__gte=[200]), 2)

    def test_switch_ip(self):
        self.assertEqual(self.names(switch_ip=['100.6.210.2/24']), ['ds3000-03--static-ext'])

    def test_neighbor(self):
        self.assertEqual(self.count(neighbor_asn=[64102]), 2)
        self.assertEqual(self.names(neighbor_ip=['100.6.210.6']), ['ds3000-03--static-ext'])


class ExternalPeeringFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = ExternalPeering.objects.all()
    filterset = ExternalPeeringFilterSet
    filter_name_map = {'vpc_subnets': 'vpc_subnet', 'prefixes': 'prefix'}
    objects = tuple(
        (name, {'permit': {'vpc': {'name': vpc, 'subnets': subnets},
                           'external': {'name': external, 'prefixes': [{'prefix': p} for p in prefixes]}}})
        for name, vpc, subnets, external, prefixes in (
            ('demo-vpc-1--default', 'demo-vpc-1', ['default'], 'default', ['0.0.0.0/0']),
            ('demo-vpc-3--default', 'demo-vpc-3', ['subnet-1', 'subnet-2'], 'default', ['0.0.0.0/0']),
            ('demo-vpc-3--other', 'demo-vpc-3', ['subnet-1'], 'other', ['10.99.0.0/16', '10.98.0.0/16']),
            ('vpc-01--default', 'vpc-01', ['default'], 'default', ['0.0.0.0/0']),
        )
    )

    def test_vpc(self):
        self.assertEqual(self.count(vpc=['demo-vpc-3']), 2)

    def test_vpc_subnet(self):
        self.assertEqual(self.count(vpc_subnet=['subnet-1']), 2)
        self.assertEqual(self.count(vpc_subnet=['default', 'subnet-2']), 3)

    def test_external(self):
        self.assertEqual(self.count(external=['default']), 3)

    def test_prefix(self):
        self.assertEqual(self.names(prefix=['10.98.0.0/16']), ['demo-vpc-3--other'])


class GatewayGroupFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = GatewayGroup.objects.all()
    filterset = GatewayGroupFilterSet
    objects = (('default', {}), ('edge', {}), ('backup', {}), ('default-2', {}))


class GatewayFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = Gateway.objects.all()
    filterset = GatewayFilterSet
    filter_name_map = {'interfaces': 'interface', 'groups': 'group'}
    objects = (
        ('gateway-1', GATEWAY_1),
        ('gateway-2', GATEWAY_2),
        ('gateway-3', {'interfaces': {'enp2s1': {}, 'enp2s2': {}}, 'workers': 8, 'groups': [{'name': 'edge'}]}),
        ('gateway-4', {'interfaces': {'enp2s1': {}}, 'asn': 65533}),
    )

    def test_asn(self):
        self.assertEqual(self.count(asn=[65534]), 2)

    def test_ips(self):
        self.assertEqual(self.names(protocol_ip=['172.30.8.9/32']), ['gateway-1'])
        self.assertEqual(self.names(vtep_ip=['172.30.12.10/32']), ['gateway-2'])

    def test_workers(self):
        self.assertEqual(self.count(workers=[16]), 2)
        self.assertEqual(self.count(workers__lt=[16]), 1)

    def test_interface(self):
        self.assertEqual(self.count(interface=['enp2s1']), 2)
        self.assertEqual(self.count(interface=['enp2s1np0', 'enp2s1np1']), 2)

    def test_group(self):
        self.assertEqual(self.count(group=['default']), 2)
        self.assertEqual(self.names(group=['edge']), ['gateway-3'])


class GatewayPeeringFilterSetTest(ResourceFilterSetTests, TestCase):
    queryset = GatewayPeering.objects.all()
    filterset = GatewayPeeringFilterSet
    filter_name_map = {'vpcs': 'vpc', 'prefixes': 'prefix'}
    objects = (
        ('vpc-1--vpc-2', gateway_peering_spec('vpc-1', 'vpc-2', '10.0.1.0/24', '10.0.2.0/24')),
        ('vpc-1--vpc-3', gateway_peering_spec('vpc-1', 'vpc-3', '10.0.1.0/24', '10.0.3.0/24', 'edge')),
        ('vpc-2--vpc-3', gateway_peering_spec('vpc-2', 'vpc-3', '10.0.2.0/25', '10.0.3.0/24')),
        ('vpc-4--ext-1', gateway_peering_spec('vpc-4', 'ext.ext-1', '10.0.4.0/24', '0.0.0.0/0', 'edge')),
    )

    def test_gateway_group(self):
        self.assertEqual(self.names(gateway_group=['edge']), ['vpc-1--vpc-3', 'vpc-4--ext-1'])
        self.assertEqual(self.count(gateway_group=['default']), 2)

    def test_vpc(self):
        self.assertEqual(self.count(vpc=['vpc-1']), 2)
        self.assertEqual(self.names(vpc=['ext.ext-1']), ['vpc-4--ext-1'])

    def test_prefix(self):
        self.assertEqual(self.names(prefix=['10.0.2.0/25']), ['vpc-2--vpc-3'])
        self.assertEqual(self.count(prefix=['10.0.3.0/24', '0.0.0.0/0']), 3)
