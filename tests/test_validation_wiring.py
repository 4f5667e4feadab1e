"""The upstream test cases of wiring.githedgehog.com/v1beta1, case for case: NetBox's verdict (accept or refuse) and
defaulted result equal the fabric webhooks'. Upstream: githedgehog/fabric v0.126.0-15 (78827deb), files
api/wiring/v1beta1/{switch,vlannamespace,connection}_types_test.go, TestGetAPI2NOSPortsFor of
switchprofile_types_test.go (the ports a profile offers, which the Connection rule checks) and api/meta/vlan_test.go
(case names kept). The rest of switchprofile_types_test.go is not ported: SwitchProfile is read-only in NetBox (the
controller owns its catalogue), so NetBox never judges one."""
import copy

import pytest

from netbox_hedgehog.validation import FabricConfig, Refusal, World, default_spec, validate
from netbox_hedgehog.validation.wiring import (
    api_ports,
    normalized_vlan_ranges,
    switch_hydration,
    vlan_ranges_overlap,
)


def verdict(kind, name, spec, **kwargs):
    try:
        validate(kind, name, spec, **kwargs)
    except Refusal as e:
        return str(e)
    return None


def assert_verdict(refused, kind, name, spec, **kwargs):
    result = verdict(kind, name, spec, **kwargs)
    if refused:
        assert result is not None, f'{kind} {name} was accepted; upstream refuses it'
    else:
        assert result is None, f'{kind} {name} was refused ({result}); upstream accepts it'


#
# vlannamespace_types_test.go: TestValidate
#

RESERVED = FabricConfig(irb_vlan_ranges=((3000, 3199),), th5_vlan_ranges=((3900, 3999),))


@pytest.mark.parametrize(('case', 'ranges', 'refused'), [
    ('fabric-collision', [{'from': 2900, 'to': 3000}], True),
    ('th5-collision', [{'from': 3500, 'to': 4500}], True),
    ('no-collision', [{'from': 10, 'to': 1500}], False),
])
def test_vlan_namespace_validate(case, ranges, refused):
    assert_verdict(refused, 'VLANNamespace', 'ns-1', {'ranges': ranges}, config=RESERVED)


#
# meta/vlan_test.go: TestNormalizedVLANRanges (accept/refuse; the defaulted ranges are filled in and sorted, the
# merged list NormalizedVLANRanges also returns is not what the webhook stores)
#

@pytest.mark.parametrize(('case', 'ranges', 'expected'), [
    ('simple-empty', [], []),
    ('simple-only-from', [{'from': 1}], [(1, 1)]),
    ('simple-all-vlans', [{'from': 1, 'to': 4094}], [(1, 4094)]),
    ('simple-unsorted', [{'from': 201, 'to': 202}, {'from': 101, 'to': 102}, {'from': 301, 'to': 302}],
     [(101, 102), (201, 202), (301, 302)]),
    ('simple-invalid-vlan-from', [{'from': 0, 'to': 4094}], None),
    ('simple-invalid-vlan-to', [{'from': 0, 'to': 4094}], None),
    ('simple-invalid-vlan-to-2', [{'from': 1001, 'to': 1000}], None),
    ('overlaps-1', [{'from': 200, 'to': 300}, {'from': 200, 'to': 200}, {'from': 150, 'to': 300},
                    {'from': 150, 'to': 150}, {'from': 500, 'to': 500}, {'from': 500, 'to': 600},
                    {'from': 700, 'to': 700}, {'from': 100, 'to': 250}, {'from': 100, 'to': 100}],
     [(100, 100), (100, 250), (150, 150), (150, 300), (200, 200), (200, 300), (500, 500), (500, 600), (700, 700)]),
])
def test_normalized_vlan_ranges(case, ranges, expected):
    spec = {'ranges': ranges}
    if expected is None:
        with pytest.raises(Refusal):
            normalized_vlan_ranges(spec)
        return
    defaulted = default_spec('VLANNamespace', spec)
    assert [(r['from'], r['to']) for r in defaulted['ranges']] == expected
    assert spec == {'ranges': ranges}, 'defaulting must not change its input'


@pytest.mark.parametrize(('case', 'ranges', 'overlap'), [
    ('simple-empty', [], False),
    ('simple-single', [(1, 1)], False),
    ('simple-unsorted', [(201, 202), (101, 102), (301, 302)], False),
    ('overlap-sorted-1', [(100, 200), (150, 180)], True),
    ('overlap-sorted-2', [(100, 200), (150, 250)], True),
    ('overlap-sorted-2 (touching)', [(100, 200), (200, 250)], True),
    ('overlap-unsorted', [(250, 300), (200, 250)], True),
])
def test_check_vlan_ranges_overlap(case, ranges, overlap):
    assert bool(vlan_ranges_overlap(ranges)) is overlap


#
# switch_types_test.go: TestHydrationValidation
#

HYDRATION_CFG = FabricConfig(
    control_vip='172.30.0.1/32', protocol_subnet='172.30.8.0/22', vtep_subnet='172.30.12.0/22', spine_asn=65100,
    leaf_asn_start=65101, leaf_asn_end=65200, management_subnet='172.30.0.0/21',
    management_dhcp_start='172.30.4.0', enable_gateway=True,
)
LEAF = {'role': 'server-leaf', 'asn': 65101, 'ip': '172.30.0.8/21', 'vtepIP': '172.30.12.0/32',
        'protocolIP': '172.30.8.2/32'}
SPINE = {'role': 'spine', 'asn': 65100, 'ip': '172.30.0.8/21', 'vtepIP': '172.30.12.0/32',
         'protocolIP': '172.30.8.2/32'}
MCLAG_LEAF = {**LEAF, 'redundancy': {'type': 'mclag', 'group': 'mclag-1'}}


def leaf5(**changes):
    return {'Switch': {'leaf5': {'role': 'server-leaf', 'asn': 65102, 'ip': '172.30.0.5/21',
                                 'vtepIP': '172.30.12.2/32', 'protocolIP': '172.30.8.5/32', **changes}}}


def gw1(protocol_ip, vtep_ip):
    return {'Gateway': {'gw-1': {'protocolIP': protocol_ip, 'vtepIP': vtep_ip}}}


@pytest.mark.parametrize(('case', 'objects', 'name', 'switch', 'refused'), [
    ('emptyList', {}, 'leaf1', LEAF, False),
    ('VTEPCollision', leaf5(vtepIP='172.30.12.0/32'), 'leaf1', LEAF, True),
    ('IPCollision', leaf5(ip='172.30.0.8/21'), 'leaf1', LEAF, True),
    ('ProtocolIPCollision', leaf5(protocolIP='172.30.8.2/32'), 'leaf1', LEAF, True),
    ('ASNCollision', leaf5(asn=65101), 'leaf1', LEAF, True),
    ('noCollision', leaf5(), 'leaf1', LEAF, False),
    ('leafASNOutOfRange', {}, 'leaf-out-of-range', {**LEAF, 'asn': 65000}, True),
    ('mgmtIPOutOfRange', {}, 'leaf-mgmt-out-of-range', {**LEAF, 'ip': '172.29.240.33/21'}, True),
    ('mgmtIPInDHCPRange', {}, 'leaf-mgmt-in-dhcp-range', {**LEAF, 'ip': '172.30.5.123/21'}, True),
    ('spineCorrectASN', {'Switch': {'spine2': {'role': 'spine', 'asn': 65100, 'ip': '172.30.0.9/21',
                                               'vtepIP': '172.30.12.1/32', 'protocolIP': '172.30.8.3/32'}}},
     'spine1', SPINE, False),
    ('spineWrongASN', {}, 'spine-wrong-asn', {**SPINE, 'asn': 65101}, True),
    ('VTEPCollisionWithGateway', gw1('172.30.8.45/32', '172.30.12.0/32'), 'leaf1', LEAF, True),
    ('ProtocolIPCollisionWithGateway', gw1('172.30.8.2/32', '172.30.12.45/32'), 'leaf1', LEAF, True),
    ('noCollisionWithGateway', gw1('172.30.8.45/32', '172.30.12.45/32'), 'leaf1', LEAF, False),
    ('mclagPeerAllGood', {'Switch': {'leaf5': {**MCLAG_LEAF, 'ip': '172.30.0.9/21',
                                               'protocolIP': '172.30.8.3/32'}}}, 'leaf1', MCLAG_LEAF, False),
])
def test_switch_hydration_validation(case, objects, name, switch, refused):
    try:
        switch_hydration(name, switch, World(objects), HYDRATION_CFG)
    except Refusal as e:
        assert refused, f'refused ({e}); upstream accepts it'
        return
    assert not refused, 'accepted; upstream refuses it'


#
# connection_types_test.go: TestConnectionValidation
#

CONN_CFG = FabricConfig(reserved_subnets=('172.30.1.0/24',), fabric_subnet='172.30.128.0/24', spine_leaf=True)
ALT_IP40, ALT_IP41 = '172.30.128.40/31', '172.30.128.41/31'
BASE_SWITCHES = {
    'spine-01': {'role': 'spine', 'asn': 65100, 'profile': 'dell-s5232f-on'},
    'leaf-01': {'role': 'server-leaf', 'asn': 65101, 'profile': 'dell-s5232f-on'},
    'leaf-02': {'role': 'server-leaf', 'asn': 65102, 'profile': 'dell-s5232f-on'},
}


def static_external(*subnets):
    return {'staticExternal': {'link': {'switch': {'port': 'some/some', 'ip': '192.168.1.2/24',
                                                   'nextHop': '192.168.1.1', 'subnets': list(subnets)}}}}


def fabric_conn(leaf_port='leaf-01/E1/1', spine_port='spine-01/E1/1', leaf_ip='172.30.128.1/31',
                spine_ip='172.30.128.0/31'):
    return {'fabric': {'links': [{'spine': {'port': spine_port, 'ip': spine_ip},
                                  'leaf': {'port': leaf_port, 'ip': leaf_ip}}]}}


def mesh_conn(leaf1_port='leaf-01/E1/1', leaf2_port='leaf-02/E1/1', leaf1_ip='172.30.128.0/31',
              leaf2_ip='172.30.128.1/31'):
    return {'mesh': {'links': [{'leaf1': {'port': leaf1_port, 'ip': leaf1_ip},
                                'leaf2': {'port': leaf2_port, 'ip': leaf2_ip}}]}}


def gw_conn(gateway_port='gateway-1/enp2s1', switch_port='spine-01/E1/1', gateway_ip='172.30.128.1/31',
            switch_ip='172.30.128.0/31'):
    return {'gateway': {'links': [{'switch': {'port': switch_port, 'ip': switch_ip},
                                   'gateway': {'port': gateway_port, 'ip': gateway_ip}}]}}


def unbundled(switch_port):
    return {'unbundled': {'link': {'server': {'port': 'server-01/enp2s1'}, 'switch': {'port': switch_port}}}}


# The profile upstream's TestConnectionValidation registers (pkg/ctrl/switchprofile DellS5232FON, the ports and port
# profiles the Connection rule reads): E1/1-E1/31 QSFP28 with breakouts, E1/32 QSFP28 without, E1/33-34 SFP28.
QSFP28_100G = {'breakout': {'default': '1x100G', 'supported': {
    '1x100G': {'offsets': ['0']}, '1x40G': {'offsets': ['0']}, '2x50G': {'offsets': ['0', '2']},
    '1x50G': {'offsets': ['0']}, '4x25G': {'offsets': ['0', '1', '2', '3']}, '4x10G': {'offsets': ['0', '1', '2', '3']},
    '1x25G': {'offsets': ['0']}, '1x10G': {'offsets': ['0']}}}}
DELL_S5232F_ON = {
    'displayName': 'Dell S5232F-ON', 'nosType': 'sonic-bcm-base', 'platform': 'x86_64-dellemc_s5232f_c3538-r0',
    'ports': {
        'M1': {'nos': 'Management0', 'management': True, 'oniePortName': 'eth0'},
        **{f'E1/{i}': {'nos': f'1/{i}', 'baseNOSName': f'Ethernet{4 * (i - 1)}', 'label': str(i),
                       'profile': 'QSFP28-100G'} for i in range(1, 32)},
        'E1/32': {'nos': 'Ethernet124', 'label': '32', 'profile': 'QSFP28-100G-nb'},
        'E1/33': {'nos': 'Ethernet128', 'label': '33', 'profile': 'SFP28-10G'},
        'E1/34': {'nos': 'Ethernet129', 'label': '34', 'profile': 'SFP28-10G'},
    },
    'portProfiles': {'SFP28-10G': {'speed': {'default': '10G', 'supported': ['1G', '10G']}},
                     'QSFP28-100G-nb': {'speed': {'default': '100G', 'supported': ['40G', '100G']}},
                     'QSFP28-100G': QSFP28_100G},
}


def with_conns(switches=None, **connections):
    return World({'Switch': switches or dict(BASE_SWITCHES), 'SwitchProfile': {'dell-s5232f-on': DELL_S5232F_ON},
                  'Connection': connections})


MOVED_FABRIC = fabric_conn(leaf_port='leaf-01/E1/2', spine_port='spine-01/E1/3')
READDRESSED_FABRIC = fabric_conn(leaf_ip=ALT_IP41, spine_ip=ALT_IP40)
MOVED_MESH = mesh_conn(leaf1_port='leaf-01/E1/2', leaf2_port='leaf-02/E1/3')
READDRESSED_MESH = mesh_conn(leaf1_ip=ALT_IP41, leaf2_ip=ALT_IP40)
MOVED_GW = gw_conn(gateway_port='gateway-1/enp2s2', switch_port='spine-01/E1/3')
READDRESSED_GW = gw_conn(gateway_ip=ALT_IP41, switch_ip=ALT_IP40)


@pytest.mark.parametrize(('case', 'name', 'spec', 'world', 'refused'), [
    ('static-ext-default-route', 'static-ext-default-route', static_external('0.0.0.0/0'), None, False),
    ('static-ext-default-route-and-not', 'static-ext-default-route-and-not',
     static_external('0.0.0.0/0', '0.0.0.0/0'), None, True),
    ('static-ext-default-route-and-not-2', 'static-ext-default-route-and-not-2',
     static_external('0.0.0.0/0', '1.2.3.0/24'), None, True),
    ('static-ext--not-default-route', 'static-ext--not-default-route', static_external('1.2.3.0/24'), None, False),
    ('static-ext-overlap-route', 'static-ext-overlap-route', static_external('172.30.1.0/24'), None, True),
    ('static-ext-overlap-route-2', 'static-ext-overlap-route-2', static_external('172.30.0.0/16'), None, True),
    ('static-ext-overlap-route-3', 'static-ext-overlap-route-3', static_external('172.30.1.42/32'), None, True),
    ('collision-fabric-with-fabric-IP', 'fabric-1', fabric_conn(), with_conns(**{'fabric-2': MOVED_FABRIC}), True),
    ('collision-fabric-with-fabric-port', 'fabric-1', fabric_conn(),
     with_conns(**{'fabric-2': READDRESSED_FABRIC}), True),
    ('no-collision-fabric-with-fabric', 'fabric-1', fabric_conn(), with_conns(**{'fabric-2': fabric_conn(
        leaf_port='leaf-01/E1/2', spine_port='spine-01/E1/3', leaf_ip=ALT_IP41, spine_ip=ALT_IP40)}), False),
    ('collision-fabric-with-mesh-IP', 'fabric-1', fabric_conn(), with_conns(**{'mesh-2': MOVED_MESH}), True),
    ('collision-fabric-with-mesh-port', 'fabric-1', fabric_conn(), with_conns(**{'mesh-2': READDRESSED_MESH}), True),
    ('no-collision-fabric-with-mesh', 'fabric-1', fabric_conn(), with_conns(**{'mesh-2': mesh_conn(
        leaf1_port='leaf-01/E1/2', leaf2_port='leaf-02/E1/3', leaf1_ip=ALT_IP41, leaf2_ip=ALT_IP40)}), False),
    ('collision-fabric-with-gateway-IP', 'fabric-1', fabric_conn(), with_conns(**{'gw-2': MOVED_GW}), True),
    ('collision-fabric-with-gateway-port', 'fabric-1', fabric_conn(), with_conns(**{'gw-2': READDRESSED_GW}), True),
    ('no-collision-fabric-with-gateway', 'fabric-1', fabric_conn(), with_conns(**{'gw-2': gw_conn(
        gateway_port='gateway-1/enp2s2', switch_port='spine-01/E1/3', gateway_ip=ALT_IP41,
        switch_ip=ALT_IP40)}), False),
    ('collision-mesh-with-fabric-IP', 'mesh-1', mesh_conn(), with_conns(**{'fabric-2': MOVED_FABRIC}), True),
    ('collision-mesh-with-fabric-port', 'mesh-1', mesh_conn(), with_conns(**{'fabric-2': READDRESSED_FABRIC}), True),
    ('no-collision-mesh-with-fabric', 'mesh-1', mesh_conn(), with_conns(**{'fabric-2': fabric_conn(
        leaf_port='leaf-01/E1/2', spine_port='spine-01/E1/3', leaf_ip=ALT_IP41, spine_ip=ALT_IP40)}), False),
    ('collision-mesh-with-mesh-IP', 'mesh-1', mesh_conn(), with_conns(**{'mesh-2': MOVED_MESH}), True),
    ('collision-mesh-with-mesh-port', 'mesh-1', mesh_conn(), with_conns(**{'mesh-2': READDRESSED_MESH}), True),
    ('no-collision-mesh-with-mesh', 'mesh-1', mesh_conn(), with_conns(**{'mesh-2': mesh_conn(
        leaf1_port='leaf-01/E1/2', leaf2_port='leaf-02/E1/3', leaf1_ip=ALT_IP41, leaf2_ip=ALT_IP40)}), False),
    ('collision-mesh-with-gateway-IP', 'mesh-1', mesh_conn(), with_conns(**{'gw-2': gw_conn()}), True),
    ('no-collision-mesh-with-gateway', 'mesh-1', mesh_conn(), with_conns(**{'gw-2': READDRESSED_GW}), False),
    ('collision-gateway-with-fabric-IP', 'gw-1', gw_conn(), with_conns(**{'fabric-2': MOVED_FABRIC}), True),
    ('collision-gateway-with-fabric-port', 'gw-1', gw_conn(), with_conns(**{'fabric-2': READDRESSED_FABRIC}), True),
    ('no-collision-gateway-with-fabric', 'gw-1', gw_conn(), with_conns(**{'fabric-2': fabric_conn(
        leaf_port='leaf-01/E1/2', spine_port='spine-01/E1/3', leaf_ip=ALT_IP41, spine_ip=ALT_IP40)}), False),
    ('collision-gateway-with-mesh-IP', 'gw-1', gw_conn(), with_conns(**{'mesh-2': mesh_conn()}), True),
    ('no-collision-gateway-with-mesh', 'gw-1', gw_conn(), with_conns(**{'mesh-2': READDRESSED_MESH}), False),
    ('collision-gateway-with-gateway-IP', 'gw-1', gw_conn(), with_conns(**{'gw-2': MOVED_GW}), True),
    ('collision-gateway-with-gateway-port', 'gw-1', gw_conn(), with_conns(**{'gw-2': READDRESSED_GW}), True),
    ('no-collision-gateway-with-gateway', 'gw-1', gw_conn(), with_conns(**{'gw-2': gw_conn(
        gateway_port='gateway-1/enp2s2', switch_port='spine-01/E1/3', gateway_ip=ALT_IP41,
        switch_ip=ALT_IP40)}), False),
    ('collision-with-port-other-breakout', 'fabric-1', fabric_conn(),
     with_conns(existing=unbundled('leaf-01/E1/1/1')), True),
    ('collision-with-port-our-breakout', 'fabric-1', fabric_conn(leaf_port='leaf-01/E1/1/1'),
     with_conns(existing=unbundled('leaf-01/E1/1')), True),
    ('disjoint-breakouts-of-same-parent', 'fabric-1', fabric_conn(leaf_port='leaf-01/E1/1/1'),
     with_conns(existing=unbundled('leaf-01/E1/1/2')), False),
    ('disjoint-breakouts-using-parent-alias', 'fabric-1', fabric_conn(),
     with_conns(existing=unbundled('leaf-01/E1/1/2')), False),
    ('mclag-is-deprecated', 'mclag-1', {'mclag': {'links': [{'server': {'port': 'server-01/enp2s1'},
                                                              'switch': {'port': 'leaf-01/E1/1/2'}}]}}, None, False),
])
def test_connection_validation(case, name, spec, world, refused):
    assert_verdict(refused, 'Connection', name, spec, world=world, config=CONN_CFG)


#
# switchprofile_types_test.go: TestGetAPI2NOSPortsFor
#

def test_get_api2nos_ports_for():
    sfp28 = {'speed': {'default': '25G', 'supported': ['10G', '25G']}}
    profile = {
        'displayName': 'Test', 'switchSilicon': 'test',
        'ports': {
            'M1': {'nos': 'Management0', 'management': True, 'oniePortName': 'eth0'},
            'E1/1': {'nos': 'Ethernet0', 'label': '1', 'group': '1'},
            'E1/2': {'nos': 'Ethernet4', 'label': '2', 'group': '1'},
            'E1/3': {'nos': 'Ethernet8', 'label': '3', 'group': '2'},
            'E1/4': {'nos': 'Ethernet12', 'label': '4', 'group': '2'},
            'E1/5': {'nos': 'Ethernet16', 'label': '5', 'profile': 'SFP28-25G'},
            'E1/6': {'nos': 'Ethernet17', 'label': '6', 'profile': 'SFP28-25G'},
            'E1/7': {'nos': '1/7', 'label': '7', 'profile': 'QSFP28-100G', 'baseNOSName': 'Ethernet20'},
            'E1/8': {'nos': '1/8', 'label': '8', 'profile': 'QSFP28-100G', 'baseNOSName': 'Ethernet24'},
            'E1/9': {'nos': '1/9', 'label': '9', 'profile': 'QSFP28-100G', 'baseNOSName': 'Ethernet28'},
        },
        'portGroups': {'1': {'nos': '1', 'profile': 'SFP28-25G'}, '2': {'nos': '2', 'profile': 'SFP28-25G'}},
        'portProfiles': {'SFP28-25G': sfp28, 'QSFP28-100G': QSFP28_100G},
    }
    switch = {'portBreakouts': {'E1/8': '4x25G', 'E1/9': '2x50G'}}
    assert api_ports(profile, switch) == {
        'E1/1': 'Ethernet0', 'E1/2': 'Ethernet4', 'E1/3': 'Ethernet8', 'E1/4': 'Ethernet12', 'E1/5': 'Ethernet16',
        'E1/6': 'Ethernet17', 'E1/7': 'Ethernet20', 'E1/7/1': 'Ethernet20', 'E1/8': 'Ethernet24',
        'E1/8/1': 'Ethernet24', 'E1/8/2': 'Ethernet25', 'E1/8/3': 'Ethernet26', 'E1/8/4': 'Ethernet27',
        'E1/9': 'Ethernet28', 'E1/9/1': 'Ethernet28', 'E1/9/2': 'Ethernet30', 'M1': 'Management0',
    }


#
# The Connection rule on switch profile ports ("port ... is not allowed for switch ..."), beyond upstream's cases
#

BROKEN_OUT = {**BASE_SWITCHES, 'leaf-01': {**BASE_SWITCHES['leaf-01'], 'portBreakouts': {'E1/1': '4x25G'}}}


@pytest.mark.parametrize(('case', 'spec', 'world', 'message'), [
    ('lane-of-port-without-breakout', unbundled('leaf-01/E1/1/2'), with_conns(),
     'spec.unbundled.link.switch.port = "leaf-01/E1/1/2": port leaf-01/E1/1/2 is not allowed for switch leaf-01'),
    ('lane-of-broken-out-port', unbundled('leaf-01/E1/1/4'), with_conns(BROKEN_OUT), None),
    ('lane-beyond-breakout', unbundled('leaf-01/E1/1/5'), with_conns(BROKEN_OUT),
     'spec.unbundled.link.switch.port = "leaf-01/E1/1/5": port leaf-01/E1/1/5 is not allowed for switch leaf-01'),
    ('port-without-breakout-profile', unbundled('leaf-01/E1/33'), with_conns(), None),
    ('lane-of-port-without-breakout-profile', unbundled('leaf-01/E1/32/1'), with_conns(),
     'spec.unbundled.link.switch.port = "leaf-01/E1/32/1": port leaf-01/E1/32/1 is not allowed for switch leaf-01'),
    ('port-the-profile-lacks', fabric_conn(spine_port='spine-01/E1/35'), with_conns(),
     'spec.fabric.links[0].spine.port = "spine-01/E1/35": port spine-01/E1/35 is not allowed for switch spine-01'),
    ('unsupported-breakout', unbundled('leaf-01/E1/1'),
     with_conns({**BASE_SWITCHES, 'leaf-01': {**BASE_SWITCHES['leaf-01'], 'portBreakouts': {'E1/1': '8x10G'}}}),
     'spec.unbundled = "leaf-01": failed to get NOS port mapping for switch leaf-01: port "E1/1" has a breakout '
     '"8x10G" not supported by profile "QSFP28-100G"'),
    ('profile-not-found', unbundled('leaf-01/E1/1'),
     with_conns({**BASE_SWITCHES, 'leaf-01': {**BASE_SWITCHES['leaf-01'], 'profile': 'celestica-ds3000'}}),
     'spec.unbundled = "leaf-01": switch profile celestica-ds3000 not found'),
    ('profiles-unknown', unbundled('leaf-01/E1/1/2'), World({'Switch': dict(BASE_SWITCHES)}), None),
])
def test_connection_ports_of_switch_profile(case, spec, world, message):
    world.objects.setdefault('Server', {'server-01': {}})
    assert verdict('Connection', 'conn-1', spec, world=world, config=CONN_CFG) == message


#
# Switch defaulting (Switch.Default): each rule
#

def test_switch_defaulting():
    spec = {'role': 'server-leaf', 'groups': ['zeta', 'alpha'], 'redundancy': {'group': 'mclag-1', 'type': 'eslag'},
            'portSpeeds': {'E1/1': 'SPEED_25GB'}, 'portGroupSpeeds': {'1': 'SPEED_10GB', '2': '25G'},
            'linkFlapErrDisable': {'flapThreshold': 5}}
    original = copy.deepcopy(spec)
    defaulted = default_spec('Switch', spec)
    assert spec == original
    assert defaulted['groups'] == ['alpha', 'mclag-1', 'zeta']
    assert defaulted['vlanNamespaces'] == ['default']
    assert defaulted['portSpeeds'] == {'E1/1': '25GB'}
    assert defaulted['portGroupSpeeds'] == {'1': '10GB', '2': '25G'}
    assert defaulted['linkFlapErrDisable'] == {'flapThreshold': 5, 'samplingInterval': 30, 'recoveryInterval': 300}
    assert default_spec('Switch', {'vlanNamespaces': ['b', 'a']})['vlanNamespaces'] == ['a', 'b']
    assert 'groups' not in default_spec('Switch', {'role': 'spine'})


def test_vlan_namespace_to_zero_means_from():
    assert default_spec('VLANNamespace', {'ranges': [{'from': 1000, 'to': 0}]}) == {
        'ranges': [{'from': 1000, 'to': 1000}]}
    assert verdict('VLANNamespace', 'default', {'ranges': [{'from': 1000, 'to': 0}]}) is None


@pytest.mark.parametrize(('kind', 'name', 'spec', 'message'), [
    ('Switch', 'Leaf 01/x', {'role': 'spine'}, 'metadata.name = "Leaf 01/x": name does not match a lowercase RFC 1123'),
    ('Switch', 'leaf-01', {'role': 'server-leaf', 'asn': -1}, 'spec.asn = -1: must be an integer from 0 to 4294967295'),
    ('Switch', 'leaf-01', {'role': 'leaf'}, 'spec.role = "leaf": must be one of spine, server-leaf'),
    ('VLANNamespace', 'default', {'ranges': [{'from': 10, 'to': 70000}]},
     'spec.ranges[0].to = 70000: must be an integer from 0 to 65535 (uint16)'),
    ('VLANNamespace', 'default', {'ranges': [{'from': 0, 'to': 10}]}, 'from < 1 || from > 4094'),
    ('Connection', 'c', {'eslag': {'links': [
        {'server': {'port': 's1/e1'}, 'switch': {'port': f'l{i}/E1/1'}} for i in range(5)]}},
     'at most four switches must be used for eslag connection'),
    ('Connection', 'c', {'bundled': {'links': [{'server': {'port': 's1/e1'}, 'switch': {'port': 'l1/E1/1'}},
                                               {'server': {'port': 's2/e1'}, 'switch': {'port': 'l1/E1/2'}}]}},
     'one server must be used for bundled connection'),
    ('Connection', 'c', {}, 'exactly one connection type must be used'),
])
def test_refusals_name_path_value_and_rule(kind, name, spec, message):
    assert message in (verdict(kind, name, spec) or '')
