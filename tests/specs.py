"""Hedgehog objects for the API and filter tests: specs from the Hedgehog samples (githedgehog/lab-ci env-ci-1.l,
demo-gitops env-1, the docs' VPC and wiring examples), with the switch fields `hhfab` adds on hydration where a running
fabric has them.
"""
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    Fabric,
    Gateway,
    GatewayGroup,
    IPv4Namespace,
    Server,
    Switch,
    SwitchGroup,
    SwitchProfile,
    VLANNamespace,
)

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
    token: kubeconfig-secret-token-b8d3f1
"""

# Switches of lab-ci env-ci-1.l, hydrated as hhfab does (asn, ip, protocolIP, vtepIP, vlanNamespaces); ds3000-01
# also breaks out E1/2, so that BUNDLED_SERVER_3's E1/2/2 is a port its profile offers.
DS3000_01 = {
    'boot': {'serial': 'R4039F2B074C17GD300131'}, 'role': 'server-leaf', 'description': 'leaf-1',
    'profile': 'celestica-ds3000',
    'portBreakouts': {'E1/1': '4x10G', 'E1/2': '4x25G', 'E1/17': '4x25G', 'E1/18': '4x25G'},
    'redundancy': {'group': 'eslag-2', 'type': 'eslag'}, 'groups': ['eslag-2'], 'vlanNamespaces': ['default'],
    'asn': 65101, 'ip': '172.30.0.8/21', 'protocolIP': '172.30.8.3/32', 'vtepIP': '172.30.12.3/32',
}
DS3000_02 = {
    'boot': {'serial': 'R4039F2B074C17GD300133'}, 'role': 'server-leaf', 'description': 'leaf-2',
    'profile': 'celestica-ds3000', 'portBreakouts': {'E1/1': '4x10G', 'E1/17': '4x25G'},
    'redundancy': {'group': 'eslag-2', 'type': 'eslag'}, 'groups': ['eslag-2'], 'vlanNamespaces': ['default'],
    'asn': 65101, 'ip': '172.30.0.9/21', 'protocolIP': '172.30.8.4/32', 'vtepIP': '172.30.12.3/32',
}
DS3000_03 = {
    'boot': {'serial': 'DX030F2B043607UB200027'}, 'role': 'server-leaf', 'description': 'leaf-3',
    'profile': 'celestica-ds3000', 'portBreakouts': {'E1/1': '4x10G', 'E1/11': '4x10G'},
    'groups': ['border', 'eslag-1'], 'redundancy': {'group': 'eslag-1', 'type': 'eslag'},
    'vlanNamespaces': ['default'], 'asn': 65102, 'ip': '172.30.0.10/21', 'protocolIP': '172.30.8.5/32',
    'vtepIP': '172.30.12.4/32',
}
SSE_C4632_01 = {
    'boot': {'serial': 'SSC46AN03020014'}, 'role': 'server-leaf', 'description': 'leaf-4',
    'profile': 'supermicro-sse-c4632sb', 'portBreakouts': {'E1/1': '4x10G', 'E1/10': '4x10G'},
    'groups': ['border', 'eslag-1'], 'redundancy': {'group': 'eslag-1', 'type': 'eslag'},
    'vlanNamespaces': ['default'], 'asn': 65102, 'ip': '172.30.0.11/21', 'protocolIP': '172.30.8.6/32',
    'vtepIP': '172.30.12.4/32',
}
DS4000_01 = {
    'boot': {'serial': 'R4009B2F062504LK200031'}, 'role': 'spine', 'description': 'spine-1',
    'profile': 'celestica-ds4000', 'portBreakouts': {'E1/1': '1x100G', 'E1/20': '1x100G'},
    'vlanNamespaces': ['default'], 'asn': 65100, 'ip': '172.30.0.12/21', 'protocolIP': '172.30.8.1/32',
}
DS4000_02 = {
    'boot': {'serial': 'R4009B2F062504LK200006'}, 'role': 'spine', 'description': 'spine-2',
    'profile': 'celestica-ds4000', 'portBreakouts': {'E1/1': '1x100G', 'E1/20': '1x100G'},
    'vlanNamespaces': ['default'], 'asn': 65100, 'ip': '172.30.0.13/21', 'protocolIP': '172.30.8.2/32',
}

# Connections of lab-ci env-ci-1.l, one of each shape.
ESLAG_SERVER_1 = {'eslag': {'links': [
    {'server': {'port': 'server-1/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/1/2'}},
    {'server': {'port': 'server-1/enp2s2'}, 'switch': {'port': 'ds3000-02/E1/1/2'}},
]}}
ESLAG_SERVER_2 = {'eslag': {'links': [
    {'server': {'port': 'server-2/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/1/3'}},
    {'server': {'port': 'server-2/enp2s2'}, 'switch': {'port': 'ds3000-02/E1/1/3'}},
]}}
BUNDLED_SERVER_3 = {'bundled': {'links': [
    {'server': {'port': 'server-3/enp2s1'}, 'switch': {'port': 'ds3000-01/E1/1/4'}},
    {'server': {'port': 'server-3/enp2s2'}, 'switch': {'port': 'ds3000-01/E1/2/2'}},
]}}
UNBUNDLED_SERVER_7 = {'unbundled': {'link': {
    'server': {'port': 'server-7/enp2s1'}, 'switch': {'port': 'ds3000-03/E1/1/1'},
}}}
FABRIC_SPINE_1_LEAF_1 = {'fabric': {'links': [
    {'spine': {'port': 'ds4000-01/E1/1'}, 'leaf': {'port': 'ds3000-01/E1/28'}},
    {'spine': {'port': 'ds4000-01/E1/2'}, 'leaf': {'port': 'ds3000-01/E1/29'}},
]}}
FABRIC_SPINE_2_LEAF_1 = {'fabric': {'links': [
    {'spine': {'port': 'ds4000-02/E1/1'}, 'leaf': {'port': 'ds3000-01/E1/30'}},
    {'spine': {'port': 'ds4000-02/E1/2'}, 'leaf': {'port': 'ds3000-01/E1/31'}},
]}}
VPC_LOOPBACK_DS3000_01 = {'vpcLoopback': {'links': [
    {'switch1': {'port': 'ds3000-01/E1/17/1'}, 'switch2': {'port': 'ds3000-01/E1/18/1'}},
    {'switch1': {'port': 'ds3000-01/E1/17/2'}, 'switch2': {'port': 'ds3000-01/E1/18/2'}},
]}}
EXTERNAL_DS3000_03 = {'external': {'link': {'switch': {'port': 'ds3000-03/E1/1/4'}}}}
GATEWAY_SPINE_1 = {'gateway': {'links': [
    {'gateway': {'port': 'gateway-1/enp2s1np0'}, 'switch': {'port': 'ds4000-01/E1/20/1'}},
]}}

# VPCs of demo-gitops env-1 and the docs' DHCP relay example.
DEMO_VPC_1 = {'subnets': {'default': {
    'subnet': '10.10.101.0/24', 'vlan': 1101,
    'dhcp': {'enable': True, 'range': {'start': '10.10.101.10', 'end': '10.10.101.99'}},
}}}
DEMO_VPC_2 = {'subnets': {'default': {
    'subnet': '10.10.102.0/24', 'vlan': 1102,
    'dhcp': {'enable': True, 'range': {'start': '10.10.102.10', 'end': '10.10.102.99'}},
}}}
DEMO_VPC_3 = {
    'subnets': {
        'subnet-1': {'subnet': '10.10.131.0/24', 'gateway': '10.10.131.1', 'vlan': 1131,
                     'dhcp': {'enable': True, 'range': {'start': '10.10.131.10', 'end': '10.10.131.99'}}},
        'subnet-2': {'subnet': '10.10.132.0/24', 'vlan': 1132, 'isolated': True, 'restricted': True,
                     'dhcp': {'enable': True}},
    },
    'permit': [['subnet-1', 'subnet-2']],
}
VPC_01 = {'ipv4Namespace': 'default', 'vlanNamespace': 'default', 'subnets': {'default': {
    'dhcp': {'relay': '10.0.2.200/32', 'relayVPC': 'vpc-02'}, 'gateway': '10.0.1.1', 'subnet': '10.0.1.0/24',
    'vlan': 1001,
}}}
VPC_02 = {'ipv4Namespace': 'default', 'vlanNamespace': 'default', 'subnets': {'default': {
    'dhcp': {}, 'gateway': '10.0.2.1', 'subnet': '10.0.2.0/24', 'vlan': 1002,
}}}

GATEWAY_1 = {'interfaces': {'enp2s1np0': {'ips': ['172.30.128.1/31']}}, 'workers': 16, 'asn': 65534,
             'protocolIP': '172.30.8.9/32', 'vtepIP': '172.30.12.9/32', 'vtepMAC': 'ca:fe:ba:be:00:09',
             'neighbors': [{'source': 'enp2s1np0', 'ip': '172.30.128.0', 'asn': 65100}],
             'groups': [{'name': 'default', 'priority': 10}]}
GATEWAY_2 = {'interfaces': {'enp2s1np1': {'ips': ['172.30.128.3/31']}}, 'workers': 16, 'asn': 65534,
             'protocolIP': '172.30.8.10/32', 'vtepIP': '172.30.12.10/32', 'vtepMAC': 'ca:fe:ba:be:00:0a',
             'neighbors': [{'source': 'enp2s1np1', 'ip': '172.30.128.2', 'asn': 65100}],
             'groups': [{'name': 'default', 'priority': 20}]}

DS3000_CATALOG = {
    'displayName': 'Celestica DS3000', 'switchSilicon': 'Broadcom TD3-X7 3.2T', 'nosType': 'sonic-bcm-base',
    'platform': 'x86_64-cel_seastone_2-r0',
    'ports': {'M1': {'nos': 'eth0', 'management': True}, 'E1/1': {'nos': 'Ethernet0', 'profile': 'QSFP28-100G'},
              'E1/2': {'nos': 'Ethernet4', 'profile': 'QSFP28-100G'}},
}
DS4000_CATALOG = {
    'displayName': 'Celestica DS4000', 'switchSilicon': 'Broadcom TH3 12.8T', 'nosType': 'sonic-bcm-base',
    'platform': 'x86_64-cel_questone_2-r0',
    'ports': {'M1': {'nos': 'eth0', 'management': True}, 'E1/1': {'nos': 'Ethernet0', 'profile': 'QSFP-DD-400G'}},
}


def _breakout(default, modes):
    return {'breakout': {'default': default, 'supported': {
        mode: {'offsets': [str(o) for o in offsets]} for mode, offsets in modes.items()}}}


def _full_catalog(catalog, lanes, port_profile, breakouts):
    """`catalog` with the port table of the upstream profile (githedgehog/fabric pkg/ctrl/switchprofile at 78827deb):
    E1/1-E1/32 with breakouts, `lanes` NOS lanes apart, E1/33 SFP28-10G; the Connection rule reads it."""
    ports = {'M1': {'nos': 'Management0', 'management': True, 'oniePortName': 'eth0'},
             **{f'E1/{i}': {'nos': f'1/{i}', 'baseNOSName': f'Ethernet{lanes * (i - 1)}', 'label': str(i),
                            'profile': port_profile} for i in range(1, 33)},
             'E1/33': {'nos': f'Ethernet{lanes * 32}', 'label': '33', 'profile': 'SFP28-10G'}}
    return {**catalog, 'ports': ports, 'portProfiles': {
        'SFP28-10G': {'speed': {'default': '10G', 'supported': ['1G', '10G']}}, port_profile: breakouts}}


# The SwitchProfiles of SURROUNDINGS, with their whole port tables (the catalogs above keep three ports each).
DS3000_PROFILE = _full_catalog(DS3000_CATALOG, 4, 'QSFP28-100G', _breakout('1x100G', {
    '1x100G': [0], '1x40G': [0], '1x50G': [0], '2x50G': [0, 2], '4x25G': [0, 1, 2, 3], '4x10G': [0, 1, 2, 3]}))
DS4000_PROFILE = _full_catalog(DS4000_CATALOG, 8, 'QSFPDD-400G', _breakout('1x400G', {
    '1x400G': [0], '1x100G': [0], '1x40G': [0], '1x25G': [0], '1x10G': [0], '2x200G': [0, 4], '2x100G': [0, 4],
    '2x40G': [0, 4], '4x100G': [0, 2, 4, 6], '4x25G': [0, 1, 2, 3], '4x10G': [0, 1, 2, 3],
    '8x50G': range(8), '8x25G': range(8), '8x10G': range(8)}))
VS_CATALOG = {
    'displayName': 'Virtual Switch', 'switchSilicon': 'vs', 'nosType': 'sonic-vs', 'platform': 'x86_64-kvm_x86_64-r0',
    'ports': {'M1': {'nos': 'eth0', 'management': True}},
}

# A label value that is not a string: Kubernetes rejects it, so NetBox does too (used as invalid bulk update data).
INVALID_LABELS = {'labels': {'fabric.githedgehog.com/rack': 3}}


def create_fabric(name, **fields):
    """A fabric whose objects the tests create and edit through the UI and REST: it takes edits (applied to the
    cluster, or committed to Git when it has a repository) unless the test gives another write mode."""
    fields.setdefault('kubernetes_server', 'https://172.30.0.1:6443')
    fields.setdefault('write_mode', 'git' if fields.get('git_url') else 'cluster')
    return Fabric.objects.create(name=name, **fields)


def create_objects(model, fabric, specs):
    """Create one object of `model` per (name, spec) pair, as a sync from the cluster would leave it."""
    return [
        model.objects.create(
            fabric=fabric, name=name, spec=spec, uid=f'0b9c3e2a-{model._meta.model_name[:4]}-{i:04d}',
            resource_version=str(1000 + i), generation=1,
        )
        for i, (name, spec) in enumerate(specs)
    ]


def gateway_peering_spec(vpc1, vpc2, cidr1, cidr2, group=None):
    """A GatewayPeering as the Hedgehog documentation writes them: each VPC exposes one subnet."""
    spec = {'peering': {vpc1: {'expose': [{'ips': [{'cidr': cidr1}]}]}, vpc2: {'expose': [{'ips': [{'cidr': cidr2}]}]}}}
    if group:
        spec['gatewayGroup'] = group
    return spec


def _unbundled(server, switch_port):
    return {'unbundled': {'link': {'server': {'port': f'{server}/enp2s1'}, 'switch': {'port': switch_port}}}}


def _eslag(server, first, second):
    return {'eslag': {'links': [{'server': {'port': f'{server}/enp2s1'}, 'switch': {'port': first}},
                                {'server': {'port': f'{server}/enp2s2'}, 'switch': {'port': second}}]}}


def _vpc(subnet, vlan, **extra):
    return {'subnets': {'default': {'subnet': subnet, 'vlan': vlan}}, **extra}


FEATURES = {'features': {'subinterfaces': True, 'acls': True, 'l2vni': True, 'l3vni': True, 'roce': False,
                         'eslag': True, 'mclag': True, 'ecmpRoCEQPN': False}}

# The objects the test specs above name, as one consistent fabric: with them every reference of those specs
# resolves, so the admission rules that span objects (checked on every edit) accept them.
SURROUNDINGS = (
    (VLANNamespace, [('default', {'ranges': [{'from': 1000, 'to': 2999}]})]),
    (IPv4Namespace, [('default', {'subnets': ['10.0.0.0/16', '10.10.0.0/16', '10.20.0.0/16']}),
                     ('tenant-a', {'subnets': ['10.0.0.0/16']})]),
    (SwitchGroup, [('eslag-1', {}), ('eslag-2', {}), ('border', {})]),
    (SwitchProfile, [('celestica-ds3000', {**DS3000_PROFILE, **FEATURES}),
                       ('celestica-ds4000', {**DS4000_PROFILE, **FEATURES}),
                       ('supermicro-sse-c4632sb', {**DS3000_PROFILE, **FEATURES})]),
    (Switch, [('ds3000-01', DS3000_01), ('ds3000-02', DS3000_02), ('ds3000-03', DS3000_03),
                ('sse-c4632-01', SSE_C4632_01), ('ds4000-01', DS4000_01), ('ds4000-02', DS4000_02)]),
    (Server, [(f'server-{i}', {}) for i in range(1, 9)]),
    (GatewayGroup, [('default', {}), ('edge', {})]),
    (Gateway, [('gateway-1', GATEWAY_1)]),
    (Connection, [
        ('server-1--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_1),
        ('server-2--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_2),
        ('server-3--bundled--ds3000-01', BUNDLED_SERVER_3),
        ('server-4--unbundled--ds3000-03', _unbundled('server-4', 'ds3000-03/E1/1/2')),
        ('server-5--unbundled--ds3000-03', _unbundled('server-5', 'ds3000-03/E1/1/3')),
        ('server-6--unbundled--sse-c4632-01', _unbundled('server-6', 'sse-c4632-01/E1/1/2')),
        ('server-7--unbundled--ds3000-03', UNBUNDLED_SERVER_7),
        ('server-8--unbundled--ds3000-03', _unbundled('server-8', 'ds3000-03/E1/1/4')),
        ('server-5--eslag--ds3000-03--sse-c4632-01', _eslag('server-5', 'ds3000-03/E1/11/1', 'sse-c4632-01/E1/10/1')),
        ('server-6--eslag--ds3000-03--sse-c4632-01', _eslag('server-6', 'ds3000-03/E1/11/2', 'sse-c4632-01/E1/10/2')),
        ('ds3000-03--external--ds2000-02', EXTERNAL_DS3000_03),
        ('sse-c4632-01--external--ds2000-02', {'external': {'link': {'switch': {'port': 'sse-c4632-01/E1/1/4'}}}}),
        ('ds3000-01--external--ds2000-02', {'external': {'link': {'switch': {'port': 'ds3000-01/E1/1/1'}}}}),
        ('ds3000-02--external--ds2000-02', {'external': {'link': {'switch': {'port': 'ds3000-02/E1/1/1'}}}}),
    ]),
    (VPC, [('demo-vpc-1', DEMO_VPC_1), ('demo-vpc-2', DEMO_VPC_2), ('demo-vpc-3', DEMO_VPC_3),
             ('vpc-01', VPC_01), ('vpc-02', VPC_02), ('vpc-03', _vpc('10.0.3.0/24', 1003))]
     + [(f'vpc-{i}', _vpc(f'10.0.{i}.0/24', 1010 + i)) for i in range(1, 7)]),
    (External, [
        ('default', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:3001', 'outboundCommunity': '3001:65101'}),
        ('other', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:4001', 'outboundCommunity': '4001:65101'}),
        ('static-ext', {'ipv4Namespace': 'default', 'static': {'prefixes': ['0.0.0.0/0']}}),
        ('ext-1', {'ipv4Namespace': 'default', 'inboundCommunity': '65101:5001', 'outboundCommunity': '5001:65101'}),
    ]),
)


def create_surroundings(fabric, *skip):
    """Create the SURROUNDINGS in `fabric`, but for the models in `skip` (those a test creates itself)."""
    for model, specs in SURROUNDINGS:
        if model not in skip:
            create_objects(model, fabric, specs)
