"""The YAML loader over the demo fabric and the third-party samples, and its per-document errors."""
import pytest
from django.test import TestCase

from netbox_hedgehog.loader import parse_documents
from netbox_hedgehog.models import VPC, Connection, Fabric, Gateway, Switch, VPCAttachment, VPCPeering
from tests.cluster import FABRIC_COUNTS, PEERINGS, WIRING
from tests.harness import SAMPLES, needs_samples
from tests.loading import load_yaml

# Exact per-kind counts for each third-party sample (see the samples' INDEX.md). The docs wiring diagram declares its
# Gateway in namespace "fab", which is not the fabric's namespace: that one document is rejected, the other 19 load.
SAMPLE_COUNTS = {
    'docs__docs__install-upgrade__build-wiring.md__block2-sample-wiring-diagram.yaml': (
        {'VLANNamespace': 1, 'IPv4Namespace': 1, 'SwitchGroup': 1, 'Switch': 6, 'Connection': 10}, 1,
    ),
    'lab-ci__envs__env-ci-1.l__wiring.yaml': (
        {'VLANNamespace': 1, 'IPv4Namespace': 1, 'SwitchGroup': 3, 'Switch': 6, 'Server': 8, 'External': 3,
         'ExternalAttachment': 5, 'Connection': 24}, 0,
    ),
    'lab-ci__envs__env-ci-1.l__wiring-gateway.yaml': ({'GatewayGroup': 1, 'Gateway': 2, 'Connection': 2}, 0),
    'demo-gitops__env-1__pre-demo.yaml': ({'VPC': 2, 'VPCAttachment': 2}, 0),
    'demo-gitops__env-1__demo.yaml': ({'VPC': 1, 'VPCAttachment': 1, 'VPCPeering': 1, 'ExternalPeering': 1}, 0),
    'docs__docs__user-guide__vpcs.md__block2-vpc-relay-peering.yaml': (
        {'VPC': 2, 'VPCAttachment': 2, 'VPCPeering': 1}, 0,
    ),
}


def sample(name):
    return (SAMPLES / name).read_text()


def assert_loaded(test, fabric, result, expected):
    from netbox_hedgehog.kinds import KINDS
    for kind_spec in KINDS:
        stored = kind_spec.model.objects.filter(fabric=fabric).count()
        test.assertEqual(stored, expected.get(kind_spec.kind, 0), kind_spec.kind)
        test.assertEqual(result.created.get(kind_spec.kind, 0), expected.get(kind_spec.kind, 0))


@needs_samples
class SampleLoadTest(TestCase):
    def test_every_sample_file_is_covered(self):
        files = {p.name for p in SAMPLES.glob('*.yaml')}
        self.assertEqual(files, set(SAMPLE_COUNTS))

    def test_samples_load_with_exact_counts(self):
        for filename, (expected, error_count) in SAMPLE_COUNTS.items():
            with self.subTest(filename=filename):
                fabric = Fabric.objects.create(name=filename[:100])
                result = load_yaml(fabric, sample(filename), source=filename)
                self.assertEqual(len(result.errors), error_count, [str(e) for e in result.errors])
                assert_loaded(self, fabric, result, expected)

    def test_gateway_in_foreign_namespace_is_reported(self):
        fabric = Fabric.objects.create(name='docs')
        name = 'docs__docs__install-upgrade__build-wiring.md__block2-sample-wiring-diagram.yaml'
        result = load_yaml(fabric, sample(name), source=name)
        (error,) = result.errors
        self.assertEqual(error.name, 'gateway-1')
        self.assertIn("namespace 'fab' is not the fabric's namespace 'default'", str(error))
        self.assertIn(name, str(error))
        self.assertFalse(Gateway.objects.filter(fabric=fabric).exists())


class FabricLoadTest(TestCase):
    """The demo fabric's files, as the demo and the other tests load them."""

    def test_fabric_files_load_with_exact_counts(self):
        for path, expected in FABRIC_COUNTS.items():
            with self.subTest(file=path.name):
                fabric = Fabric.objects.create(name=path.name)
                result = load_yaml(fabric, path.read_text(), source=path.name)
                self.assertEqual(result.errors, [])
                assert_loaded(self, fabric, result, expected)

    def test_second_load_changes_nothing(self):
        fabric = Fabric.objects.create(name='demo')
        text = WIRING.read_text()
        load_yaml(fabric, text)
        again = load_yaml(fabric, text)
        self.assertEqual(again.created, {})
        self.assertEqual(again.updated, {})
        self.assertEqual(again.unchanged['Connection'], 18)

    def test_typed_columns_match_the_yaml(self):
        fabric = Fabric.objects.create(name='demo')
        load_yaml(fabric, WIRING.read_text())
        leaf = Switch.objects.get(fabric=fabric, name='leaf-01')
        self.assertEqual(leaf.role, 'server-leaf')
        self.assertEqual(leaf.profile, 'dell-s5248f-on')
        self.assertEqual((leaf.redundancy_group, leaf.redundancy_type), ('eslag-1', 'eslag'))
        self.assertEqual(leaf.boot_serial, 'HHDEMO-LF01')
        self.assertEqual(leaf.breakouts, {'E1/55': '4x25G'})
        self.assertEqual(leaf.annotations['type.hhfab.githedgehog.com'], 'hw')
        self.assertEqual((leaf.asn, leaf.vtep_ip), (65101, '172.30.12.1/32'))
        spine = Switch.objects.get(fabric=fabric, name='spine-02')
        self.assertEqual((spine.role, spine.asn, spine.vtep_ip), ('spine', 65100, ''))

        eslag = Connection.objects.get(fabric=fabric, name='server-02--eslag--leaf-01--leaf-02')
        self.assertEqual(eslag.connection_type, 'eslag')
        self.assertEqual(eslag.switches, ['leaf-01', 'leaf-02'])
        self.assertEqual(eslag.servers, ['server-02'])
        self.assertEqual(eslag.ports, ['server-02/enp2s1', 'leaf-01/E1/55/1', 'server-02/enp2s2', 'leaf-02/E1/55/1'])
        breakout = [e for e in eslag.endpoints if e['device'] == 'leaf-01'][0]
        self.assertEqual((breakout['base_port'], breakout['breakout']), ('E1/55', 1))
        fabric_link = Connection.objects.get(fabric=fabric, name='spine-01--fabric--leaf-03')
        self.assertEqual(fabric_link.connection_type, 'fabric')
        self.assertEqual(fabric_link.link_count, 2)
        self.assertEqual(fabric_link.switches, ['leaf-03', 'spine-01'])
        self.assertEqual(fabric_link.ports, ['spine-01/E1/5', 'leaf-03/E1/49', 'spine-01/E1/6', 'leaf-03/E1/50'])
        self.assertEqual(Connection.objects.filter(fabric=fabric, switches__contains=['leaf-03']).count(), 5)

        static = fabric.externalattachment_set.get(name='leaf-04--legacy')
        self.assertEqual((static.external_type, static.vlan, static.switch_ip), ('static', 200, '100.64.3.2/30'))
        self.assertEqual(static.neighbor_ip, '100.64.3.1')
        bgp = fabric.external_set.get(name='internet')
        self.assertEqual((bgp.inbound_community, bgp.outbound_community), ('65103:100', '100:65103'))
        self.assertEqual(fabric.external_set.get(name='legacy').static_prefixes, ['10.99.0.0/16'])
        self.assertEqual(fabric.vlannamespace_set.get().ranges, ['1000-2999'])

    def test_vpc_columns(self):
        fabric = Fabric.objects.create(name='demo')
        load_yaml(fabric, PEERINGS.read_text())
        vpc = VPC.objects.get(fabric=fabric, name='vpc-3')
        self.assertEqual(vpc.mode, 'l3vni')
        self.assertEqual((vpc.ipv4_namespace, vpc.vlan_namespace), ('default', 'default'))
        self.assertEqual(vpc.subnet_names, ['back', 'front'])
        self.assertEqual(vpc.subnets, ['10.20.3.0/24', '10.20.4.0/24'])
        self.assertEqual(vpc.vlans, [1003, 1004])
        attachment = VPCAttachment.objects.get(fabric=fabric, name='vpc-3--server-06--bundled--leaf-03')
        self.assertEqual((attachment.vpc, attachment.subnet), ('vpc-3', 'back'))
        self.assertEqual(attachment.connection, 'server-06--bundled--leaf-03')
        self.assertEqual(VPCPeering.objects.get(fabric=fabric).vpcs, ['vpc-1', 'vpc-2'])
        peering = fabric.externalpeering_set.get()
        self.assertEqual((peering.vpc, peering.external, peering.prefixes), ('vpc-1', 'internet', ['0.0.0.0/0']))


GOOD_VPC = """
apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata:
  name: good
spec:
  subnets:
    default: {subnet: 10.0.1.0/24, vlan: 1001}
"""

BAD_DOCUMENTS = [
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Rack\nmetadata: {name: r1}\n', "unknown kind 'Rack'"),
    ('apiVersion: wiring.githedgehog.com/v1alpha2\nkind: Switch\nmetadata: {name: s1}\nspec: {role: spine}\n',
     "unsupported apiVersion 'wiring.githedgehog.com/v1alpha2' for Switch"),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata: {name: s2, namespace: fab}\n',
     "namespace 'fab' is not the fabric's namespace 'default'"),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata: {}\n', 'missing metadata.name'),
    ('- just\n- a list\n', 'expected a mapping'),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Switch\nmetadata: {name: s3}\nspec: {asn: abc}\n',
     "spec.asn: expected an integer, got str 'abc'"),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Connection\nmetadata: {name: c1}\n'
     'spec: {unbundled: {link: {server: {port: srv/eth0}, switch: {port: leaf-01-E1-1}}}}\n',
     "port 'leaf-01-E1-1' does not parse"),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Connection\nmetadata: {name: c2}\n'
     'spec: {unbundled: {link: {server: {port: srv/eth0}, switch: {port: leaf/Ethernet1}}}}\n',
     "switch port 'leaf/Ethernet1' does not parse"),
    ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: Connection\nmetadata: {name: c3}\nspec: {}\n',
     'exactly one connection type key, found 0'),
]


class LoaderErrorTest(TestCase):
    def test_each_bad_document_is_reported_and_the_rest_loads(self):
        for text, message in BAD_DOCUMENTS:
            with self.subTest(message=message):
                fabric = Fabric.objects.create(name=f'f-{len(message)}-{abs(hash(message)) % 10**6}')
                stream = GOOD_VPC + '---\n' + text + '---\n' + GOOD_VPC.replace('name: good', 'name: good2')
                result = load_yaml(fabric, stream, source='bad.yaml')
                self.assertEqual(len(result.errors), 1, [str(e) for e in result.errors])
                error = str(result.errors[0])
                self.assertIn(message, error)
                self.assertIn('bad.yaml, document 2', error)
                self.assertEqual(result.created, {'VPC': 2})
                total = sum(k.model.objects.filter(fabric=fabric).count() for k in _kinds())
                self.assertEqual(total, 2)

    def test_invalid_yaml_names_the_line(self):
        objects, errors = parse_documents(GOOD_VPC + '---\nkind: VPC\nmetadata: {name: [unclosed\n', 'broken.yaml')
        self.assertEqual([o.name for o in objects], ['good'])
        self.assertEqual(len(errors), 1)
        self.assertIn('broken.yaml', str(errors[0]))
        self.assertIn('invalid YAML', str(errors[0]))
        self.assertGreater(errors[0].line, 8)

    def test_duplicate_names_are_reported(self):
        objects, errors = parse_documents(GOOD_VPC + '---\n' + GOOD_VPC, 'dup.yaml')
        self.assertEqual(len(objects), 1)
        self.assertIn("duplicate VPC 'good'", str(errors[0]))

    def test_changed_object_is_updated(self):
        fabric = Fabric.objects.create(name='upd')
        load_yaml(fabric, GOOD_VPC)
        result = load_yaml(fabric, GOOD_VPC.replace('vlan: 1001', 'vlan: 1002'))
        self.assertEqual(result.updated, {'VPC': 1})
        self.assertEqual(VPC.objects.get(fabric=fabric).vlans, [1002])


def _kinds():
    from netbox_hedgehog.kinds import KINDS
    return KINDS


@pytest.mark.parametrize('port,expected', [
    ('leaf-01/E1/4', ('leaf-01', 'E1/4', 'E1/4', None)),
    ('leaf-01/E1/4/1', ('leaf-01', 'E1/4/1', 'E1/4', 1)),
    ('leaf-01/M1', ('leaf-01', 'M1', 'M1', None)),
])
def test_parse_switch_port(port, expected):
    from netbox_hedgehog.kinds import parse_port
    parsed = parse_port(port, 'x')
    assert (parsed['device'], parsed['port'], parsed['base_port'], parsed['breakout']) == expected
