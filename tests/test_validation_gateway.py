"""The upstream test cases of gateway.githedgehog.com/v1alpha1, case for case. Upstream: githedgehog/fabric
v0.126.0-15 (78827deb), api/gateway/v1alpha1/gateway_types_test.go (case names kept; each case runs Default() and
then Validate(), as upstream does). Not ported: gatewaypeering_types_test.go (GatewayPeering is not modelled yet)."""
import copy

import pytest

from netbox_hedgehog.validation import FabricConfig, World, default_spec
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
