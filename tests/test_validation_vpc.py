"""The upstream test cases of vpc.githedgehog.com/v1beta1, case for case: NetBox's verdict (accept or refuse) and
defaulted result equal the fabric webhooks'. Upstream: githedgehog/fabric v0.126.0-15 (78827deb), files
api/vpc/v1beta1/{vpc,external,externalattachment,externalpeering}_types_test.go (case names kept)."""
import copy

import pytest

from netbox_hedgehog.validation import FabricConfig, Refusal, World, default_spec
from tests.test_validation_wiring import assert_verdict, verdict

#
# vpc_types_test.go: TestVPCValidation (vpcGen applies Default() before Validate())
#


def vpc_gen(**subnets):
    spec = {'subnets': {'default': {'subnet': '10.0.1.0/24', 'gateway': '10.0.1.1', 'vlan': 100}}}
    for name, subnet in subnets.items():
        if subnet is None:
            spec['subnets'].pop(name)
        else:
            spec['subnets'][name] = {**spec['subnets'].get(name, {}), **subnet}
    return spec


def with_dhcp(dhcp, **subnet):
    return vpc_gen(default={'dhcp': dhcp, **subnet})


BASE_WORLD = {
    'IPv4Namespace': {'default': {'subnets': ['10.0.0.0/8']}},
    'VLANNamespace': {'default': {'ranges': [{'from': 100, 'to': 4094}]}},
}
OTHER_VPC = {'ipv4Namespace': 'default', 'vlanNamespace': 'default',
             'subnets': {'default': {'subnet': '10.0.1.0/24', 'gateway': '10.0.1.1', 'vlan': 200}}}
WITH_OTHER_VPC = {**BASE_WORLD, 'VPC': {'other-vpc': OTHER_VPC}}
RESERVED = FabricConfig(reserved_subnets=('10.0.0.0/8',))
TOO_MANY = {f'sub{i}': {'subnet': f'10.0.{i + 2}.0/24', 'gateway': f'10.0.{i + 2}.1', 'vlan': 200 + i}
            for i in range(21)}


@pytest.mark.parametrize(('case', 'name', 'spec', 'objects', 'config', 'refused'), [
    ('valid vpc', 'vpc-01', vpc_gen(), None, None, False),
    ('valid vpc with kube', 'vpc-01', vpc_gen(), BASE_WORLD, None, False),
    ('name too long', 'vpc-toolong-n', vpc_gen(), None, None, True),
    ('name starts with ext.', 'ext.foo', vpc_gen(), None, None, True),
    ('no subnets', 'vpc-01', {'subnets': {}}, None, None, True),
    ('too many subnets', 'vpc-01', vpc_gen(**TOO_MANY), None, None, True),
    ('missing subnet cidr', 'vpc-01', vpc_gen(default={'subnet': ''}), None, None, True),
    ('invalid subnet cidr', 'vpc-01', vpc_gen(default={'subnet': 'not-a-cidr'}), None, None, True),
    ('subnet prefix too large', 'vpc-01', vpc_gen(default={'subnet': '10.0.1.0/31', 'gateway': '10.0.1.0'}),
     None, None, True),
    ('invalid gateway', 'vpc-01', vpc_gen(default={'gateway': 'not-an-ip'}), None, None, True),
    ('gateway not in subnet', 'vpc-01', vpc_gen(default={'gateway': '10.1.0.1'}), None, None, True),
    ('missing vlan', 'vpc-01', vpc_gen(default={'vlan': 0}), None, None, True),
    ('duplicate vlans', 'vpc-01', vpc_gen(second={'subnet': '10.0.2.0/24', 'gateway': '10.0.2.1', 'vlan': 100}),
     None, None, True),
    ('overlapping subnets', 'vpc-01',
     vpc_gen(second={'subnet': '10.0.1.128/25', 'gateway': '10.0.1.129', 'vlan': 101}), None, None, True),
    ('reserved subnet', 'vpc-01', vpc_gen(), None, RESERVED, True),
    ('permit with single subnet', 'vpc-01', {**vpc_gen(), 'permit': [['default']]}, None, None, True),
    ('permit references unknown subnet', 'vpc-01', {**vpc_gen(), 'permit': [['default', 'nonexistent']]},
     None, None, True),
    ('dhcp relay and server both enabled', 'vpc-01', with_dhcp({'enable': True, 'relay': '192.168.0.1/24'}),
     None, None, True),
    ('dhcp range start not before end', 'vpc-01',
     with_dhcp({'enable': True, 'range': {'start': '10.0.1.200', 'end': '10.0.1.100'}}), None, None, True),
    ('valid vpc with dhcp', 'vpc-01', with_dhcp({'enable': True}), None, None, False),
    ('host bgp subnet with dhcp enabled', 'vpc-01',
     vpc_gen(bgp={'subnet': '10.0.2.0/24', 'hostBGP': True, 'dhcp': {'enable': True}}), None, None, True),
    ('static ip is broadcast address', 'vpc-01',
     with_dhcp({'enable': True, 'static': {'aa:bb:cc:dd:ee:ff': {'ip': '10.0.1.255'}}}), None, None, True),
    ('static route missing prefix', 'vpc-01', {**vpc_gen(), 'staticRoutes': [{'nextHops': ['10.0.0.1']}]},
     None, None, True),
    ('static route missing nexthops', 'vpc-01', {**vpc_gen(), 'staticRoutes': [{'prefix': '172.16.0.0/12'}]},
     None, None, True),
    ('subnet not in ipv4namespace', 'vpc-01', vpc_gen(default={'subnet': '172.16.0.0/24', 'gateway': '172.16.0.1'}),
     BASE_WORLD, None, True),
    ('vlan not in vlannamespace', 'vpc-01', vpc_gen(default={'vlan': 50}), BASE_WORLD, None, True),
    ('subnet overlaps with other vpc identical prefix', 'vpc-01', vpc_gen(), WITH_OTHER_VPC, None, True),
    ('new vpc subnet contains existing vpc subnet', 'vpc-01',
     vpc_gen(default={'subnet': '10.0.0.0/16', 'gateway': '10.0.0.1'}), WITH_OTHER_VPC, None, True),
    ('new vpc subnet contained in existing vpc subnet', 'vpc-01',
     vpc_gen(default={'subnet': '10.0.1.64/26', 'gateway': '10.0.1.65'}), WITH_OTHER_VPC, None, True),
])
def test_vpc_validation(case, name, spec, objects, config, refused):
    world = World(objects) if objects is not None else None
    assert_verdict(refused, 'VPC', name, spec, world=world, config=config or FabricConfig())


def test_vpc_dhcp_enabled_without_range():
    """Upstream "dhcp enabled without range" clears the range after Default(): the webhook refuses a DHCP subnet
    that has no range, and its own defaulting fills one in when the range is left out."""
    from netbox_hedgehog.validation.vpc import validate_vpc

    defaulted = default_spec('VPC', with_dhcp({'enable': True}))
    defaulted['subnets']['default']['dhcp'].pop('range')
    with pytest.raises(Refusal, match='dhcp range is required'):
        validate_vpc('vpc-01', defaulted, {}, None, FabricConfig())


def test_vpc_defaulting():
    spec = {'subnets': {
        'default': {'subnet': '10.0.1.0/24', 'vlan': 100, 'dhcp': {
            'enable': True, 'options': {'dnsServers': ['8.8.8.8', '1.1.1.1'],
                                        'advertisedRoutes': [{'destination': '10.9.0.0/16', 'gateway': '10.0.1.9'},
                                                             {'destination': '10.1.0.0/16', 'gateway': '10.0.1.9'}]},
            'static': {'AA:BB:CC:DD:EE:FF': {'ip': '10.0.1.9'}, 'aabb.ccdd.ee00': {'ip': '10.0.1.10'}}}},
        'off': {'subnet': '10.0.2.0/24', 'vlan': 101, 'dhcp': {'range': {'start': '10.0.2.5'}, 'options': {}}},
        'bgp': {'subnet': '10.0.3.0/24', 'hostBGP': True},
        'empty-options': {'subnet': '10.0.4.0/24', 'vlan': 102, 'dhcp': {'enable': True, 'options': {}}},
    }}
    original = copy.deepcopy(spec)
    defaulted = default_spec('VPC', spec)
    assert spec == original
    assert defaulted['ipv4Namespace'] == 'default' and defaulted['vlanNamespace'] == 'default'
    dhcp = defaulted['subnets']['default']['dhcp']
    assert defaulted['subnets']['default']['gateway'] == '10.0.1.1'
    assert dhcp['range'] == {'start': '10.0.1.2', 'end': '10.0.1.255'}
    assert dhcp['options'] == {
        'dnsServers': ['1.1.1.1', '8.8.8.8'], 'timeServers': [], 'interfaceMTU': 9036, 'leaseTimeSeconds': 3600,
        'advertisedRoutes': [{'destination': '10.1.0.0/16', 'gateway': '10.0.1.9'},
                             {'destination': '10.9.0.0/16', 'gateway': '10.0.1.9'}],
    }
    assert dhcp['static'] == {'aa:bb:cc:dd:ee:ff': {'ip': '10.0.1.9'}, 'aa:bb:cc:dd:ee:00': {'ip': '10.0.1.10'}}
    assert defaulted['subnets']['off']['dhcp'] == {}, 'range and options go when DHCP is off'
    assert 'gateway' not in defaulted['subnets']['bgp'], 'a hostBGP subnet gets no gateway'
    assert 'options' not in defaulted['subnets']['empty-options']['dhcp']
    assert verdict('VPC', 'vpc-1', spec) is None


#
# external_types_test.go: TestExternalValidation
#

IN_COMM, OUT_COMM = '50000:1001', '50000:1002'


@pytest.mark.parametrize(('case', 'name', 'spec', 'refused'), [
    ('valid bgp external', 'valid-bgp', {'inboundCommunity': IN_COMM, 'outboundCommunity': OUT_COMM}, False),
    ('name too long', 'this-is-a-name-longer-than-possible', {'inboundCommunity': IN_COMM,
                                                              'outboundCommunity': OUT_COMM}, True),
    ('bgp missing outbound', 'no-out', {'inboundCommunity': IN_COMM}, False),
    ('bgp missing inbound', 'no-in', {'outboundCommunity': OUT_COMM}, False),
    ('bgp missing both communities', 'no-comms', {}, False),
    ('bgp invalid inbound', 'invalid-bgp', {'inboundCommunity': 'InboundCommunity'}, True),
    ('bgp invalid outbound', 'invalid-bgp', {'outboundCommunity': 'OutboundCommunity'}, True),
    ('valid Static', 'valid-st', {'static': {'prefixes': ['0.0.0.0/0']}}, False),
    ('l2 with inbound community', 'invalid-st', {'inboundCommunity': IN_COMM, 'static': {'prefixes': ['0.0.0.0/0']}},
     True),
    ('l2 with outbound community', 'invalid-st', {'outboundCommunity': OUT_COMM,
                                                  'static': {'prefixes': ['0.0.0.0/0']}}, True),
    ('l2 without prefixes', 'invalid-st', {'static': {'prefixes': []}}, True),
    ('l2 with overlapping prefixes', 'invalid-st', {'static': {'prefixes': ['0.0.0.0/0', '10.10.0.0/24']}}, True),
    ('l2 with invalid prefix', 'invalid-st', {'static': {'prefixes': ['0.0.0.4350/0']}}, True),
])
def test_external_validation(case, name, spec, refused):
    assert_verdict(refused, 'External', name, {'ipv4Namespace': 'default', **spec})


def test_external_defaulting():
    assert default_spec('External', {})['ipv4Namespace'] == 'default'
    assert verdict('External', 'ext', {'inboundCommunity': '65536:1'}) is not None


#
# externalattachment_types_test.go: TestExternalAttachmentValidation, TestExternalAttachmentInboundACLValidation
#

def l3_attachment(**changes):
    spec = {'external': 'external-01', 'connection': 'leaf-01--external', 'neighbor': {'asn': 64000, 'ip': '10.90.0.4'},
            'switch': {'vlan': 100, 'ip': '10.90.0.5/31'}}
    spec.update(changes)
    return spec


def static_attachment(**static):
    return {'external': 'external-02', 'connection': 'leaf-01--external', 'switch': {}, 'neighbor': {},
            'static': {'remoteIP': '10.45.0.2', 'vlan': 200, 'proxy': True, **static}}


EXT_WORLD = {
    'External': {'external-01': {'ipv4Namespace': 'default', 'inboundCommunity': IN_COMM,
                                 'outboundCommunity': OUT_COMM},
                 'external-02': {'ipv4Namespace': 'default', 'static': {'prefixes': ['0.0.0.0/0']}}},
    'Connection': {'leaf-01--external': {'external': {'link': {'switch': {'port': 'leaf-01/E1/1'}}}}},
}
ANY = 'any'


def acl(*statements):
    return {'statements': [dict(s) for s in statements]}


def stmt(seq=10, action='permit', protocol='ip', src=ANY, dst=ANY, **more):
    return {'seq': seq, 'action': action, 'protocol': protocol, 'srcPrefix': src, 'dstPrefix': dst, **more}


@pytest.mark.parametrize(('case', 'name', 'spec', 'more', 'refused'), [
    ('valid BGP external attachment', 'ext-att-01', l3_attachment(), {}, False),
    ('valid static external attachment', 'ext-att-02', static_attachment(), {}, False),
    ('external does not exist', 'ext-att-03', l3_attachment(external='external-456'), {}, True),
    ('connection does not exist', 'ext-att-04', l3_attachment(connection='conn-456'), {}, True),
    ('l3 attach with static external', 'ext-att-05', l3_attachment(external='external-02'), {}, True),
    ('static attach with l3 external', 'ext-att-06', {**static_attachment(), 'external': 'external-01'}, {}, True),
    ('multiple attaches same vlan', 'ext-att-07', l3_attachment(), {'vlan-clash': static_attachment(vlan=100)}, True),
    ('multiple attaches different vlans', 'ext-att-08', l3_attachment(), {'no-clash': static_attachment()}, False),
    ('static attach with both proxy and IP specified', 'ext-att-09', static_attachment(ip='10.45.0.1/24'), {}, True),
    ('static attach with neither proxy nor IP specified', 'ext-att-09', static_attachment(proxy=False), {}, True),
    ('valid static attach without proxy', 'ext-att-09', static_attachment(ip='10.45.0.1/24', proxy=False), {}, False),
    ('valid attachment with inline inbound ACL', 'ext-att-10', l3_attachment(inboundACL=acl(stmt())), {}, False),
    ('invalid inline inbound ACL', 'ext-att-11', l3_attachment(inboundACL=acl(stmt(protocol='gre'))), {}, True),
])
def test_external_attachment_validation(case, name, spec, more, refused):
    world = World({**EXT_WORLD, 'ExternalAttachment': more})
    assert_verdict(refused, 'ExternalAttachment', name, spec, world=world)


@pytest.mark.parametrize(('case', 'inbound_acl', 'refused'), [
    ('valid TCP statement', acl(stmt(protocol='tcp', src='10.0.0.0/8')), False),
    ('valid UDP statement with port range', acl(stmt(action='discard', protocol='udp', dst='192.168.0.0/16',
                                                     portRangeBegin=1024, portRangeEnd=65535)), False),
    ('valid ICMP statement with type and code', acl(stmt(action='deny', protocol='icmp', icmpType=8, icmpCode=0)),
     False),
    ('valid IP statement with any prefixes', acl(stmt()), False),
    ('valid TCP statement with TCP filters', acl(stmt(protocol='tcp', tcpFilters={'established': True})), False),
    ('invalid TCP statement with illegal TCP filter combo',
     acl(stmt(protocol='tcp', tcpFilters={'established': True, 'notSyn': True})), True),
    ('valid empty ACL', {}, False),
    ('valid multiple statements', acl(stmt(action='transit', protocol='tcp'),
                                      stmt(seq=20, action='deny', protocol='udp', src='10.0.0.0/8')), False),
    ('duplicate sequence numbers', acl(stmt(protocol='tcp'), stmt(protocol='udp')), True),
    ('sequence number below minimum', acl(stmt(seq=9, protocol='tcp')), True),
    ('invalid action', acl(stmt(action='drop', src='10.0.0.0/8')), True),
    ('invalid protocol', acl(stmt(protocol='gre', src='10.0.0.0/8')), True),
    ('invalid srcPrefix', acl(stmt(protocol='tcp', src='not-a-cidr')), True),
    ('invalid dstPrefix', acl(stmt(protocol='tcp', src='10.0.0.0/8', dst='300.0.0.0/8')), True),
    ('TCP filters on UDP protocol', acl(stmt(protocol='udp', src='10.0.0.0/8', tcpFilters={'syn': True})), True),
    ('ICMP type on TCP protocol', acl(stmt(protocol='tcp', src='10.0.0.0/8', icmpType=8)), True),
    ('ICMP code on UDP protocol', acl(stmt(protocol='udp', src='10.0.0.0/8', icmpCode=0)), True),
    ('port range on IP protocol', acl(stmt(src='10.0.0.0/8', portRangeBegin=80, portRangeEnd=443)), True),
    ('port range begin greater than end', acl(stmt(protocol='tcp', src='10.0.0.0/8', portRangeBegin=443,
                                                   portRangeEnd=80)), True),
    ('port range on ICMP protocol', acl(stmt(protocol='icmp', src='10.0.0.0/8', portRangeBegin=1,
                                             portRangeEnd=100)), True),
    ('empty srcPrefix', acl(stmt(protocol='tcp', src='')), True),
    ('empty dstPrefix', acl(stmt(protocol='tcp', src='10.0.0.0/8', dst='')), True),
    ('port range begin is zero', acl(stmt(protocol='tcp', src='10.0.0.0/8', portRangeEnd=80)), True),
    ('contradictory TCP flags fin and notFin', acl(stmt(protocol='tcp', src='10.0.0.0/8',
                                                        tcpFilters={'fin': True, 'notFin': True})), True),
    ('contradictory TCP flags syn and notSyn', acl(stmt(protocol='tcp', src='10.0.0.0/8',
                                                        tcpFilters={'syn': True, 'notSyn': True})), True),
])
def test_external_attachment_inbound_acl_validation(case, inbound_acl, refused):
    assert_verdict(refused, 'ExternalAttachment', 'acl-test', l3_attachment(inboundACL=inbound_acl))


def test_static_proxy_is_a_boolean():
    assert 'expected true or false' in verdict('ExternalAttachment', 'a', static_attachment(proxy='true'))


#
# externalpeering_types_test.go: TestExternalPeeringValidation
#

PEERING_WORLD = {
    'VPC': {'vpc-01': {'ipv4Namespace': 'default', 'subnets': {'subnet-a': {'subnet': '10.0.1.0/24', 'vlan': 101},
                                                               'subnet-b': {'subnet': '10.0.2.0/24', 'vlan': 102}}}},
    'External': {'external-01': {'ipv4Namespace': 'default', 'inboundCommunity': IN_COMM,
                                 'outboundCommunity': OUT_COMM},
                 'external-other-ns': {'ipv4Namespace': 'other', 'inboundCommunity': '50000:2001',
                                       'outboundCommunity': '50000:2002'}},
}


def peering(vpc=None, external=None):
    return {'permit': {'vpc': {'name': 'vpc-01', 'subnets': ['subnet-a'], **(vpc or {})},
                       'external': {'name': 'external-01', 'prefixes': [{'prefix': '0.0.0.0/0'}], **(external or {})}}}


@pytest.mark.parametrize(('case', 'name', 'spec', 'with_world', 'refused'), [
    ('valid external peering', 'ext-peer-01', peering(), True, False),
    ('valid external peering with multiple subnets and prefixes', 'ext-peer-02',
     peering({'subnets': ['subnet-b', 'subnet-a']}, {'prefixes': [{'prefix': '10.10.0.0/16'},
                                                                   {'prefix': '0.0.0.0/0'}]}), True, False),
    ('vpc name is required', 'ext-peer-03', peering({'name': ''}), True, True),
    ('external name is required', 'ext-peer-04', peering(external={'name': ''}), True, True),
    ('external prefix is required', 'ext-peer-05', peering(external={'prefixes': [{'prefix': ''}]}), True, True),
    ('vpc does not exist', 'ext-peer-06', peering({'name': 'vpc-456'}), True, True),
    ('external does not exist', 'ext-peer-07', peering(external={'name': 'external-456'}), True, True),
    ('vpc and external ipv4 namespace mismatch', 'ext-peer-08', peering(external={'name': 'external-other-ns'}),
     True, True),
    ('vpc subnet does not exist on referenced vpc', 'ext-peer-09', peering({'subnets': ['subnet-missing']}), True,
     True),
    ('works with empty vpc subnets list', 'ext-peer-10', peering({'subnets': None}), True, False),
    ('works with empty external prefixes list', 'ext-peer-11', peering(external={'prefixes': None}), True, False),
    ('kube nil still validates required fields only', 'ext-peer-12', peering(), False, False),
    ('kube nil with missing required fields still fails', 'ext-peer-13', peering({'name': ''}), False, True),
])
def test_external_peering_validation(case, name, spec, with_world, refused):
    assert_verdict(refused, 'ExternalPeering', name, spec, world=World(PEERING_WORLD) if with_world else None)


def test_external_peering_defaulting():
    defaulted = default_spec('ExternalPeering', peering({'subnets': ['subnet-b', 'subnet-a']}, {
        'prefixes': [{'prefix': '10.10.0.0/16'}, {'prefix': '0.0.0.0/0'}]}))
    assert defaulted['permit']['vpc']['subnets'] == ['subnet-a', 'subnet-b']
    assert defaulted['permit']['external']['prefixes'] == [{'prefix': '0.0.0.0/0'}, {'prefix': '10.10.0.0/16'}]


#
# IPv4Namespace, VPCAttachment, VPCPeering (no upstream test file): each rule of Default()/Validate()
#

def test_ipv4_namespace_rules():
    assert default_spec('IPv4Namespace', {'subnets': ['10.2.0.0/16', '10.1.0.0/16']}) == {
        'subnets': ['10.1.0.0/16', '10.2.0.0/16']}
    assert verdict('IPv4Namespace', 'default', {'subnets': ['10.0.0.0/16']}) is None
    assert 'must be <= 11' in verdict('IPv4Namespace', 'namespace-twelve', {'subnets': ['10.0.0.0/16']})
    assert 'too many subnets defined (11), maximum is 10' in verdict(
        'IPv4Namespace', 'ns', {'subnets': [f'10.{i}.0.0/16' for i in range(11)]})
    assert 'subnets overlap' in verdict('IPv4Namespace', 'ns', {'subnets': ['10.0.0.0/8', '10.1.0.0/16']})
    assert 'reserved' in verdict('IPv4Namespace', 'ns', {'subnets': ['172.30.0.0/24']},
                                 config=FabricConfig(reserved_subnets=('172.30.0.0/16',)))


def test_vpc_attachment_rules():
    assert default_spec('VPCAttachment', {'subnet': 'vpc-1', 'connection': 'c'})['subnet'] == 'vpc-1/default'
    assert default_spec('VPCAttachment', {'subnet': 'vpc-1/web'})['subnet'] == 'vpc-1/web'
    assert verdict('VPCAttachment', 'a', {'subnet': 'vpc-1', 'connection': 'c'}) is None
    assert 'vpc is missing' in verdict('VPCAttachment', 'a', {'subnet': '/x', 'connection': 'c'})
    assert 'connection is required' in verdict('VPCAttachment', 'a', {'subnet': 'vpc-1/x'})
    p2p = 'fabric.githedgehog.com/p2p-link'
    assert 'IPv4 /31' in verdict('VPCAttachment', 'a', {'subnet': 'v/x', 'connection': 'c'},
                                 annotations={p2p: '10.0.0.0/30'})
    assert verdict('VPCAttachment', 'a', {'subnet': 'v/x', 'connection': 'c'}, annotations={p2p: '10.0.0.0/31'}) is None
    world = World({
        'VPC': {'v': {'subnets': {'x': {'subnet': '10.0.0.0/24', 'vlan': 10}}}},
        'Connection': {'c': {'unbundled': {'link': {'server': {'port': 's/e'}, 'switch': {'port': 'l/E1/1'}}}},
                       'f': {'fabric': {'links': [{'spine': {'port': 'sp/E1/1'}, 'leaf': {'port': 'l/E1/2'}}]}}},
        'Switch': {'l': {'vlanNamespaces': ['default']}},
        'VPCAttachment': {'other': {'subnet': 'v/x', 'connection': 'c'}},
    })
    assert 'already attached to vpc subnet v/x' in verdict('VPCAttachment', 'a', {'subnet': 'v/x', 'connection': 'c'},
                                                           world=world)
    assert 'only to Unbundled, Bundled or ESLAG' in verdict('VPCAttachment', 'a', {'subnet': 'v/x', 'connection': 'f'},
                                                            world=world)
    assert 'subnet y not found in vpc v' in verdict('VPCAttachment', 'a', {'subnet': 'v/y', 'connection': 'c'},
                                                    world=world)


def test_vpc_peering_rules():
    two = {'permit': [{'vpc-1': {}, 'vpc-2': {'subnets': ['default']}}]}
    assert verdict('VPCPeering', 'vpc-1--vpc-2', two) is None
    assert 'exactly 2 VPCs' in verdict('VPCPeering', 'p', {'permit': [{'vpc-1': {}, 'vpc-2': {}, 'vpc-3': {}}]})
    assert 'VPCPeering must have exactly 2 VPCs' in verdict('VPCPeering', 'p', {
        'permit': [{'vpc-1': {}, 'vpc-2': {}}, {'vpc-1': {}, 'vpc-3': {}}]})
    assert 'remote field is deprecated' in verdict('VPCPeering', 'p', {**two, 'remote': 'border'})
    world = World({'VPC': {'vpc-1': {'subnets': {'default': {}}},
                           'vpc-2': {'ipv4Namespace': 'other', 'subnets': {'default': {}}}}})
    assert 'same IPv4 namespace' in verdict('VPCPeering', 'p', two, world=world)
