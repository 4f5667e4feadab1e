"""The upstream test cases of gateway.githedgehog.com/v1alpha1, case for case. Upstream: githedgehog/fabric
v0.126.0-15 (78827deb), api/gateway/v1alpha1/gateway_types_test.go (case names kept; each case runs Default() and
then Validate(), as upstream does) and api/gateway/v1alpha1/gatewaypeering_types_test.go (the functions that use a
Kubernetes client get the fabric's other objects as a World)."""
import copy

import pytest

from netbox_hedgehog.validation import FabricConfig, Refusal, World, default_spec
from tests.test_validation_wiring import assert_verdict


def gwa(**changes):
    spec = {'protocolIP': '172.30.8.3/32', 'vtepIP': '172.30.12.1/32', 'asn': 65101, 'vtepMAC': 'ca:fe:ba:be:00:01',
            'vtepMTU': 1500,
            'interfaces': {'port0': {'kernel': 'eth0', 'ips': ['172.30.128.3/31'], 'mtu': 1500}},
            'neighbors': [{'source': 'eth0', 'ip': '172.30.128.1', 'asn': 65100}]}
    spec.update(changes)
    return spec


BASE = {
    'GatewayGroup': {'default': {}},
    'Gateway': {'gw-2': {'protocolIP': '172.30.8.2/32', 'vtepIP': '172.30.12.0/32', 'asn': 65101,
                         'vtepMAC': 'ca:fe:ba:be:00:02', 'vtepMTU': 1500,
                         'interfaces': {'eth0': {'ips': ['172.30.128.1/31'], 'mtu': 1500}},
                         'neighbors': [{'source': 'eth0', 'ip': '172.30.128.0', 'asn': 65100}]}},
    'Switch': {'sw-1': {'protocolIP': '172.30.8.45/32', 'vtepIP': '172.30.12.45/32'}},
}
CFG = FabricConfig(enable_gateway=True, gateway_communities=2)


def with_objs(**more):
    objects = copy.deepcopy(BASE)
    for kind, items in more.items():
        objects.setdefault(kind, {}).update(items)
    return objects


GR1 = [{'name': 'gr1', 'priority': 0}]
TWO_IN_GR1 = with_objs(GatewayGroup={'gr1': {}}, Gateway={'gw-3': {'groups': [{'name': 'gr1', 'priority': 1}]},
                                                          'gw-4': {'groups': [{'name': 'gr1', 'priority': 2}]}})
ONE_IN_GR1 = with_objs(GatewayGroup={'gr1': {}}, Gateway={'gw-3': {'groups': [{'name': 'gr1', 'priority': 1}]}})
ETH0_BAD_IP = {'port0': {'kernel': 'eth0', 'ips': ['172.30.128.3/31'], 'mtu': 1500},
               'eth0': {'ips': ['172.30.128.256/31'], 'mtu': 1500}}


@pytest.mark.parametrize(('case', 'spec', 'objects', 'refused'), [
    ('test-no-overlap', gwa(), BASE, False),
    ('test-proto-ip-overlap', gwa(protocolIP='172.30.8.2/32'), BASE, True),
    ('test-vtep-ip-overlap', gwa(vtepIP='172.30.12.0/32'), BASE, True),
    ('test-invalid-proto-ip', gwa(protocolIP='172.30.12.0.1/32'), BASE, True),
    ('test-non-32-proto-ip', gwa(protocolIP='172.30.12.0/24'), BASE, True),
    ('test-non-v4-proto-ip', gwa(protocolIP='2001:db8::1/32'), BASE, True),
    ('test-invalid-vtep-ip', gwa(vtepIP='172.30.12.0.1/32'), BASE, True),
    ('test-non-32-vtep-ip', gwa(vtepIP='172.30.12.0/24'), BASE, True),
    ('test-non-v4-vtep-ip', gwa(vtepIP='2001:db8::1/32'), BASE, True),
    ('test-localhost-vtep-ip', gwa(vtepIP='127.0.1.2/32'), BASE, True),
    ('test-invalid-mac', gwa(vtepMAC='00:11:22:33:44:55:66'), BASE, True),
    ('test-all-zeros-mac', gwa(vtepMAC='00:00:00:00:00:00'), BASE, True),
    ('test-multicast-mac', gwa(vtepMAC='01:00:5E:00:00:00'), BASE, True),
    ('test-no-asn', gwa(asn=0), BASE, True),
    ('test-no-interfaces', gwa(interfaces={}), BASE, True),
    ('test-interface-invalid-ip', gwa(interfaces=ETH0_BAD_IP), BASE, True),
    ('test-no-neighbors', gwa(neighbors=[]), BASE, True),
    ('test-neighbor-invalid-ip', gwa(neighbors=[{'source': 'eth0', 'ip': '172.30.128.256', 'asn': 65100}]), BASE,
     True),
    ('test-neighbor-no-asn', gwa(neighbors=[{'source': 'eth0', 'ip': '172.30.128.1', 'asn': 0}]), BASE, True),
    ('test-too-many-gws-in-group', gwa(groups=GR1), TWO_IN_GR1, True),
    ('test-fits-in-gw-group', gwa(groups=GR1), ONE_IN_GR1, False),
    ('test-proto-ip-overlap-with-switch', gwa(protocolIP='172.30.8.45/32'), BASE, True),
    ('test-vtep-ip-overlap-with-switch', gwa(vtepIP='172.30.12.45/32'), BASE, True),
    ('test-proto-ip-no-overlap-with-switch-vtep', gwa(protocolIP='172.30.12.45/32'), BASE, False),
    ('test-vtep-mac-overlap', gwa(vtepMAC='ca:fe:ba:be:00:02'), BASE, True),
    ('test-log-rate-limit-explicit', gwa(logs={'rateLimit': {'burst': 100, 'replenishPerSecond': 10}}), BASE, False),
    ('test-log-rate-limit-empty-defaults', gwa(logs={'rateLimit': {}}), BASE, False),
    ('test-log-rate-limit-absent-disabled', gwa(), BASE, False),
])
def test_gateway_validate(case, spec, objects, refused):
    assert_verdict(refused, 'Gateway', 'gw-1', spec, world=World(objects), config=CFG)


# TestGatewayLogRateLimitDefaulting

def test_rate_limit_absent_stays_disabled():
    assert 'rateLimit' not in default_spec('Gateway', gwa())['logs']


def test_rate_limit_empty_defaults_to_50_5():
    assert default_spec('Gateway', gwa(logs={'rateLimit': {}}))['logs']['rateLimit'] == {
        'burst': 50, 'replenishPerSecond': 5}


def test_rate_limit_explicit_values_are_kept():
    assert default_spec('Gateway', gwa(logs={'rateLimit': {'burst': 100, 'replenishPerSecond': 10}}))['logs'][
        'rateLimit'] == {'burst': 100, 'replenishPerSecond': 10}


def test_gateway_defaulting():
    defaulted = default_spec('Gateway', gwa(groups=[{'name': 'b'}, {'name': 'a', 'priority': 1}]))
    assert defaulted['groups'] == [{'name': 'a', 'priority': 1}, {'name': 'b'}]
    assert defaulted['workers'] == 4
    assert defaulted['logs'] == {'default': 'info', 'tags': {'all': 'info'}}
    assert default_spec('Gateway', gwa())['groups'] == [{'name': 'default'}]


@pytest.mark.parametrize(('workers', 'refused'), [(64, False), (65, True), (300, True)])
def test_gateway_workers(workers, refused):
    assert_verdict(refused, 'Gateway', 'gw-1', gwa(workers=workers))


@pytest.mark.parametrize('kind', ['Gateway', 'GatewayGroup'])
def test_the_api_server_refuses_names_that_are_not_rfc_1123(kind):
    """The gateway webhooks do not check names; the Kubernetes API server does, for every kind."""
    spec = gwa() if kind == 'Gateway' else {}
    assert_verdict(True, kind, 'Gateway 1', spec)
    assert_verdict(False, kind, 'gateway-1', spec)


#
# gatewaypeering_types_test.go (the cases without a Kubernetes client; each runs Default() then Validate())
#

def expose(cidr, as_cidr=None, nat=None):
    item = {'ips': [{'cidr': cidr}]}
    if as_cidr:
        item['as'] = [{'cidr': as_cidr}]
    if nat is not None:
        item['nat'] = nat
    return item


def peering(vpc1, vpc2, **spec):
    return {'peering': {'vpc1': {'expose': vpc1}, 'vpc2': {'expose': vpc2}}, **spec}


PORTS = [{'proto': 'tcp', 'port': '80', 'as': '8080'}, {'proto': 'udp', 'port': '90-100', 'as': '8090-8100'},
         {'port': '88', 'as': '8088'}]
THREE_MINUTES = {'idleTimeout': '3m0s'}


def test_peering_default_empty():
    assert default_spec('GatewayPeering', {}) == {}


def test_peering_with_vpcs_no_nat():
    spec = peering([expose('10.0.1.0/24')], [expose('10.0.2.0/24')])
    assert default_spec('GatewayPeering', spec) == {**spec, 'gatewayGroup': 'default'}
    assert_verdict(False, 'GatewayPeering', 'p', spec)


@pytest.mark.parametrize(('case', 'spec', 'refused', 'defaulted_nat'), [
    ('TestPeeringWithMultipleItemsInIPs',
     peering([{'ips': [{'cidr': '10.0.1.0/24', 'not': '10.0.1.1/32'}]}], [expose('10.0.2.0/24')]), True, None),
    ('TestPeeringWithMultipleItemsInAs',
     peering([{'ips': [{'cidr': '10.0.1.0/24'}], 'as': [{'cidr': '192.168.1.0/24', 'not': '192.168.1.1/32'}],
               'nat': {'static': {}}}], [expose('10.0.2.0/24')]), True, None),
    ('TestPeeringWithStaticNAT', peering([expose('10.0.1.0/24', '192.168.1.0/24', {'static': {}})],
                                         [expose('10.0.2.0/24', '192.168.2.0/24', {'static': {}})]), False,
     {'static': {}}),
    ('TestPeeringWithDoubleMasqueradeNAT', peering([expose('10.0.1.0/24', '192.168.1.0/24', {'masquerade': {}})],
                                                   [expose('10.0.2.0/24', '192.168.2.0/24',
                                                           {'masquerade': THREE_MINUTES})]), True,
     {'masquerade': {'idleTimeout': '2m0s'}}),
    ('TestPeeringWithMasqueradeAndStaticNAT', peering([expose('10.0.1.0/24', '192.168.1.0/24', {'static': {}})],
                                                      [expose('10.0.2.0/24', '192.168.2.0/24',
                                                              {'masquerade': THREE_MINUTES})]), True, {'static': {}}),
    ('TestPeeringWithPortForwardNAT', peering([expose('10.0.1.0/24', '192.168.1.0/24', {'portForward': {
        'ports': PORTS}})], [expose('10.0.2.0/24')]), False, {'portForward': {'ports': PORTS, 'idleTimeout': '2m0s'}}),
    ('TestPeeringWithPortForwardAndMasqueradeSameSideNAT', peering([
        expose('10.0.1.0/24', '192.168.1.0/24', {'portForward': {'ports': PORTS, 'idleTimeout': '2m0s'}}),
        expose('10.0.2.0/24', '192.168.2.0/24', {'masquerade': THREE_MINUTES})], [expose('10.0.3.0/24')]), False,
     {'portForward': {'ports': PORTS, 'idleTimeout': '2m0s'}}),
    ('TestPeeringWithPortForwardAndMasqueradeNAT', peering([
        expose('10.0.1.0/24', '192.168.1.0/24', {'portForward': {'ports': PORTS, 'idleTimeout': '2m0s'}})],
        [expose('10.0.2.0/24', '192.168.2.0/24', {'masquerade': THREE_MINUTES})]), True,
     {'portForward': {'ports': PORTS, 'idleTimeout': '2m0s'}}),
])
def test_peering_nat(case, spec, refused, defaulted_nat):
    assert_verdict(refused, 'GatewayPeering', 'p', spec)
    defaulted = default_spec('GatewayPeering', spec)
    assert defaulted['gatewayGroup'] == 'default'
    if defaulted_nat is not None:
        assert defaulted['peering']['vpc1']['expose'][0]['nat'] == defaulted_nat


@pytest.mark.parametrize(('case', 'vpc1_expose', 'refused'), [
    ('default with nothing else', {'default': True}, False),
    ('default with IP', {'ips': [{'cidr': '10.0.1.0/24'}], 'default': True}, True),
    ('default with As', {'as': [{'cidr': '10.0.1.0/24'}], 'default': True}, True),
    ('default with NAT', {'nat': {'static': {}}, 'default': True}, True),
    ('IP with no default', {'ips': [{'cidr': '10.0.1.0/24'}], 'default': False}, False),
    ('no default and no IP', {'as': [{'cidr': '10.0.1.0/24'}]}, True),
])
def test_validate_default_destination(case, vpc1_expose, refused):
    spec = peering([vpc1_expose], [expose('10.10.1.0/24')], gatewayGroup='default')
    assert_verdict(refused, 'GatewayPeering', 'p', spec)


def acl_rule(action='allow', **fields):
    return {'action': action, **fields}


def src(*endpoints, proto=None):
    match = {'src': list(endpoints)}
    if proto is not None:
        match['proto'] = proto
    return match


@pytest.mark.parametrize(('case', 'acl', 'refused'), [
    ('nil ACL is valid', None, False),
    ('empty ACL defaults to deny-unless-exposed', {}, False),
    ('explicit deny default', {'default': 'deny'}, False),
    ('invalid default action', {'default': 'bogus'}, True),
    ('valid rule with from only', {'rules': [acl_rule(**{'from': 'vpc-1'})]}, False),
    ('valid rule with to only', {'rules': [acl_rule('deny', to='vpc-2')]}, False),
    ('invalid action', {'rules': [acl_rule('bogus', **{'from': 'vpc-1'})]}, True),
    ('neither from nor to set', {'rules': [acl_rule()]}, True),
    ('from does not match either VPC', {'rules': [acl_rule(**{'from': 'vpc-3'})]}, True),
    ('to does not match either VPC', {'rules': [acl_rule(to='vpc-3')]}, True),
    ('valid rule name', {'rules': [acl_rule(name='web-traffic', **{'from': 'vpc-1'})]}, False),
    ('invalid rule name characters', {'rules': [acl_rule(name='Web_Traffic!', **{'from': 'vpc-1'})]}, True),
    ('rule name too long', {'rules': [acl_rule(name='a' * 65, **{'from': 'vpc-1'})]}, True),
    ('source CIDR and VPCSubnet both set', {'rules': [acl_rule(
        match=src({'cidr': '10.0.1.0/24', 'vpcSubnet': 'sub1'}), **{'from': 'vpc-1'})]}, True),
    ('destination CIDR and VPCSubnet both set', {'rules': [acl_rule(
        match={'dst': [{'cidr': '10.0.2.0/24', 'vpcSubnet': 'sub1'}]}, **{'from': 'vpc-1'})]}, True),
    ('invalid source CIDR', {'rules': [acl_rule(match=src({'cidr': 'not-a-cidr'}), **{'from': 'vpc-1'})]}, True),
    ('invalid destination CIDR', {'rules': [acl_rule(match={'dst': [{'cidr': 'not-a-cidr'}]},
                                                     **{'from': 'vpc-1'})]}, True),
    ('valid source and destination CIDR with ports', {'rules': [acl_rule(match={
        'src': [{'cidr': '10.0.1.0/24', 'ports': ['80', '443']}],
        'dst': [{'cidr': '10.0.2.0/24', 'ports': ['8080-8090']}]}, to='vpc-2', **{'from': 'vpc-1'})]}, False),
    ('invalid source port', {'rules': [acl_rule(match=src({'cidr': '10.0.1.0/24', 'ports': ['not-a-port']}),
                                                **{'from': 'vpc-1'})]}, True),
    ('invalid destination port', {'rules': [acl_rule(match={'dst': [{'cidr': '10.0.2.0/24', 'ports': ['not-a-port']}]},
                                                     **{'from': 'vpc-1'})]}, True),
    ('valid string match protocol', {'rules': [acl_rule(match=src({'cidr': '10.0.1.0/24'}, proto='tcp'),
                                                        **{'from': 'vpc-1'})]}, False),
    ('valid numeric match protocol', {'rules': [acl_rule(match=src({'cidr': '10.0.1.0/24'}, proto='42'),
                                                         **{'from': 'vpc-1'})]}, False),
    ('invalid string match protocol', {'rules': [acl_rule(match=src({'cidr': '10.0.1.0/24'}, proto='not-a-protocol'),
                                                          **{'from': 'vpc-1'})]}, True),
])
def test_validate_acl_no_kube(case, acl, refused):
    spec = {'gatewayGroup': 'default', 'peering': {'vpc-1': {'expose': [expose('10.0.1.0/24')]},
                                                   'vpc-2': {'expose': [expose('10.0.2.0/24')]}}}
    if acl is not None:
        spec['acl'] = acl
    assert_verdict(refused, 'GatewayPeering', 'test-peering', spec)
    if acl is not None and not refused:
        defaulted = default_spec('GatewayPeering', spec)['acl']
        assert defaulted['default'] == acl.get('default', 'deny-unless-exposed')
        assert all(rule['scope'] == 'flow' for rule in defaulted.get('rules', []))


@pytest.mark.parametrize(('value', 'refused'), [
    ('', True), ('80', False), ('80-80', False), ('80,443', True), ('80,443,3000-3100', True),
    ('80,443,3000-3100,', True), ('80,443,3000-3100,8080', True), ('  80  ', True), ('  80  ,  443  ', True),
    ('  80  ,  443  ,  3000-3100  ', True), ('  80  ,443,3000-3100,8080', True), ('80-79', True), ('0', True),
    ('65536', True), ('1-65536', True), ('0-80', True), ('-80', True), ('80-', True), ('  -  80  ', True),
    ('  80  -  ', True), ('1-80,65536', True),
])
def test_validate_port(value, refused):
    from netbox_hedgehog.validation.gateway import check_port
    try:
        check_port('port', value)
    except Refusal:
        assert refused
        return
    assert not refused


#
# gatewaypeering_types_test.go, the functions with a Kubernetes client: the rules that span objects, with the
# fabric's other objects given as a World
#

def generate_peering(vpc1_expose=None, vpc2_expose=None, acl=None):
    spec = {'gatewayGroup': 'default', 'peering': {
        'vpc-1': {'expose': vpc1_expose or [{'ips': [{'cidr': '10.0.1.0/24'}]}]},
        'vpc-2': {'expose': vpc2_expose or [{'ips': [{'cidr': '10.0.2.0/24'}]}]},
    }}
    if acl is not None:
        spec['acl'] = acl
    return spec


def generate_external_peering(external_expose=None, acl=None):
    spec = {'gatewayGroup': 'default', 'peering': {
        'vpc-1': {'expose': [{'ips': [{'cidr': '10.0.1.0/24'}]}]},
        'ext.out-1': {'expose': external_expose or [{'default': True}]},
    }}
    if acl is not None:
        spec['acl'] = acl
    return spec


BROAD = {'subnets': {'default': {'subnet': '10.0.0.0/8'}}}
OVERLAP_WORLD = {
    'GatewayPeering': {'base': {'gatewayGroup': 'default', 'peering': {
        'vpc-1': {'expose': [{'ips': [{'cidr': '10.0.1.0/24'}]}]},
        'vpc-45': {'expose': [{'ips': [{'cidr': '10.0.45.0/24'}]}]}}}},
    'GatewayGroup': {'default': {}},
    'VPC': {'vpc-1': BROAD, 'vpc-2': BROAD, 'vpc-45': BROAD},
}


@pytest.mark.parametrize(('case', 'spec', 'refused'), [
    ('no overlap', generate_peering(), False),
    ('IP clash', generate_peering(vpc2_expose=[{'ips': [{'cidr': '10.0.45.0/24'}]}]), True),
    ('NAT clash', generate_peering(vpc2_expose=[{'ips': [{'cidr': '10.0.2.0/25'}], 'as': [{'cidr': '10.0.45.0/25'}],
                                                 'nat': {'static': {}}}]), True),
    ('NAT does not clash', generate_peering(vpc2_expose=[{'ips': [{'cidr': '10.0.2.0/25'}],
                                                          'as': [{'cidr': '10.0.3.0/25'}], 'nat': {'static': {}}}]),
     False),
    ('missing NAT spec with non-empty AS', generate_peering(vpc2_expose=[{'ips': [{'cidr': '10.0.2.0/25'}],
                                                                          'as': [{'cidr': '10.0.3.0/25'}]}]), True),
    ('default does not clash', generate_peering(vpc1_expose=[{'default': True}]), False),
])
def test_validate_cidr_overlap(case, spec, refused):
    assert_verdict(refused, 'GatewayPeering', 'new', spec, world=World(OVERLAP_WORLD))


VPC1 = {'subnets': {'sub1': {'subnet': '10.0.1.0/24'}}}
VPC2 = {'subnets': {'sub1': {'subnet': '10.0.2.0/24'}}}
GROUP = {'GatewayGroup': {'default': {}}}
BOTH = {**GROUP, 'VPC': {'vpc-1': VPC1, 'vpc-2': VPC2}}
WITH_EXTERNAL = {**GROUP, 'VPC': {'vpc-1': VPC1}, 'External': {'out-1': {}}}


@pytest.mark.parametrize(('case', 'spec', 'objects', 'refused'), [
    ('exact subnet match', generate_peering(), BOTH, False),
    ('CIDR is sub-range of VPC subnet', generate_peering([{'ips': [{'cidr': '10.0.1.128/25'}]}]), BOTH, False),
    ('CIDR not in any VPC subnet', generate_peering([{'ips': [{'cidr': '192.168.1.0/24'}]}]), BOTH, True),
    ('CIDR is exact subnet match of another VPC', generate_peering([{'ips': [{'cidr': '10.0.2.0/24'}]}],
                                                                   [{'ips': [{'cidr': '10.0.1.0/24'}]}]), BOTH, True),
    ('VPC not found', generate_peering(), {**GROUP, 'VPC': {'vpc-1': VPC1}}, True),
    ('default destination skipped', generate_peering([{'default': True}]), BOTH, False),
    ('VPCSubnet reference exists', generate_peering([{'ips': [{'vpcSubnet': 'sub1'}]}]), BOTH, False),
    ('VPCSubnet reference not found in VPC', generate_peering([{'ips': [{'vpcSubnet': 'nonexistent'}]}]), BOTH, True),
    ('external peering with default flag', generate_external_peering(), WITH_EXTERNAL, False),
    ('external peering with IP CIDR', generate_external_peering([{'ips': [{'cidr': '1.0.0.0/8'}]}]), WITH_EXTERNAL,
     False),
    ('external not found', generate_external_peering(), {**GROUP, 'VPC': {'vpc-1': VPC1}}, True),
    ('external with VPCSubnet', generate_external_peering([{'ips': [{'vpcSubnet': 'subnet-01'}]}]), WITH_EXTERNAL,
     True),
])
def test_validate_cidr_belongs_to_vpc(case, spec, objects, refused):
    assert_verdict(refused, 'GatewayPeering', 'p', spec, world=World(objects))


def rule_acl(**rule):
    return {'rules': [{'action': 'allow', **rule}]}


@pytest.mark.parametrize(('case', 'spec', 'objects', 'refused'), [
    ('source VPCSubnet reference exists, from implicit',
     generate_peering(acl=rule_acl(to='vpc-2', match={'src': [{'vpcSubnet': 'sub1'}]})), BOTH, False),
    ('destination VPCSubnet reference exists, to implicit',
     generate_peering(acl=rule_acl(match={'dst': [{'vpcSubnet': 'sub1'}]}, **{'from': 'vpc-1'})), BOTH, False),
    ('source VPCSubnet reference not found in VPC',
     generate_peering(acl=rule_acl(to='vpc-2', match={'src': [{'vpcSubnet': 'nonexistent'}]}, **{'from': 'vpc-1'})),
     BOTH, True),
    ('destination VPCSubnet reference not found in VPC',
     generate_peering(acl=rule_acl(to='vpc-2', match={'dst': [{'vpcSubnet': 'nonexistent'}]}, **{'from': 'vpc-1'})),
     BOTH, True),
    ('source VPCSubnet referencing an external peering entry',
     generate_external_peering(acl=rule_acl(to='vpc-1', match={'src': [{'vpcSubnet': 'sub1'}]},
                                            **{'from': 'ext.out-1'})), WITH_EXTERNAL, True),
])
def test_validate_acl_vpc_subnet(case, spec, objects, refused):
    assert_verdict(refused, 'GatewayPeering', 'p', spec, world=World(objects))
