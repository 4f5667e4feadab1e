"""The Hedgehog kind registry: the one place that knows each kind's API coordinates, its model, how its typed
columns are derived from `spec` (and which of them name other objects), its URL path, its place in the navigation
menu, and how an object is rendered back to a Kubernetes manifest.

The module has no Django imports at module level, so tools outside NetBox (the Kubernetes API test server, the
benchmark generator) can read the kind table too.
"""
import re
from dataclasses import dataclass, field

from netbox_hedgehog.specfields import SpecFields

__all__ = (
    'KINDS',
    'KIND_BY_MODEL',
    'KIND_BY_NAME',
    'MENU_GROUPS',
    'ApiResource',
    'KindSpec',
    'SpecError',
    'menu_groups',
    'parse_port',
    'to_manifest',
)

WIRING = 'wiring.githedgehog.com'
VPC = 'vpc.githedgehog.com'
GATEWAY = 'gateway.githedgehog.com'

# Labels the fabric's webhooks recompute on every write: never authored by people, never written back.
MANAGED_LABEL_MARKER = 'fabric.githedgehog.com/'

SWITCH_PORT_RE = re.compile(r'^(?:E\d+/\d+(?:/\d+)?|M\d+)$')


class SpecError(ValueError):
    """A spec that cannot be interpreted; the message says which field and why."""


def _spec_error(path, value, expected):
    shown = 'a boolean' if isinstance(value, bool) else f'{type(value).__name__} {value!r}'
    return SpecError(f'{path}: expected {expected}, got {shown}')


# Typed accessors: each checks the type of one spec field and names it in the error.
_fields = SpecFields(_spec_error)
_get, _str, _int, _bool = _fields.get, _fields.text, _fields.integer, _fields.flag
_str_list, _dict, _list_of_dicts = _fields.strings, _fields.mapping, _fields.objects


#
# Ports
#

def parse_port(value, where, device_kind='switch'):
    """Split "<device>/<port>" into its parts; switch ports must be E1/N, E1/N/M (breakout) or M1.

    Returns a dict: device, port, base_port (E1/4 for E1/4/1) and breakout (the sub-port number or None).
    """
    if not isinstance(value, str) or '/' not in value:
        raise SpecError(f'{where}: port {value!r} does not parse: expected "<device>/<port>"')
    device, port = value.split('/', 1)
    if not device or not port:
        raise SpecError(f'{where}: port {value!r} does not parse: expected "<device>/<port>"')
    base_port, breakout = port, None
    if device_kind == 'switch':
        if not SWITCH_PORT_RE.match(port):
            raise SpecError(
                f'{where}: switch port {value!r} does not parse: expected "<switch>/E1/N", "<switch>/E1/N/M" '
                f'or "<switch>/M1"'
            )
        parts = port.split('/')
        if len(parts) == 3:
            base_port, breakout = '/'.join(parts[:2]), int(parts[2])
    return {'device': device, 'device_kind': device_kind, 'port': port, 'base_port': base_port,
            'breakout': breakout}


# Connection types and the role keys of their endpoints; a role's device kind follows from its name.
CONNECTION_SINGLE_LINK = {'unbundled', 'external', 'staticExternal'}
CONNECTION_TYPES = {
    'unbundled', 'bundled', 'eslag', 'mclag', 'mclagDomain', 'fabric', 'mesh', 'gateway', 'vpcLoopback',
    'external', 'staticExternal',
}


def _endpoint_kind(role):
    if role == 'server':
        return 'server'
    if role == 'gateway':
        return 'gateway'
    return 'switch'


# The order in which a link's ends are listed (ports, endpoints): fixed, so that the typed columns do not depend on
# the key order of the spec, which PostgreSQL's jsonb does not keep. Other roles follow, alphabetically.
LINK_ROLE_ORDER = ('server', 'spine', 'leaf', 'switch1', 'switch2', 'switch', 'gateway')


def _link_role_rank(role):
    return (LINK_ROLE_ORDER.index(role), '') if role in LINK_ROLE_ORDER else (len(LINK_ROLE_ORDER), str(role))


def derive_connection(spec):
    keys = [k for k, v in spec.items() if v is not None]
    if len(keys) != 1:
        raise SpecError(
            f'spec: a Connection needs exactly one connection type key, found {len(keys)}'
            + (f' ({", ".join(sorted(keys))})' if keys else '')
        )
    ctype = keys[0]
    if ctype not in CONNECTION_TYPES:
        raise SpecError(f'spec.{ctype}: unknown connection type (known: {", ".join(sorted(CONNECTION_TYPES))})')
    body = _dict(spec, ctype)
    where_body = f'spec.{ctype}'
    links = []
    if ctype in CONNECTION_SINGLE_LINK:
        links.append((f'spec.{ctype}.link', _dict(body, 'link', base=where_body)))
    else:
        for list_key in ('links', 'peerLinks', 'sessionLinks'):
            for i, link in enumerate(_list_of_dicts(body, list_key, base=where_body)):
                links.append((f'spec.{ctype}.{list_key}[{i}]', link))
    endpoints = []
    for where, link in links:
        for role in sorted(link, key=_link_role_rank):
            end = link[role]
            if not isinstance(end, dict):
                raise SpecError(f'{where}.{role}: expected an object with a "port"')
            if 'port' not in end:
                continue
            endpoint = parse_port(end['port'], f'{where}.{role}.port', _endpoint_kind(role))
            endpoint['role'] = role
            endpoints.append(endpoint)

    def devices(kind):
        return sorted({e['device'] for e in endpoints if e['device_kind'] == kind})

    return {
        'connection_type': ctype,
        'switches': devices('switch'),
        'servers': devices('server'),
        'gateways': devices('gateway'),
        'ports': [f"{e['device']}/{e['port']}" for e in endpoints],
        'endpoints': endpoints,
        'link_count': len(links),
        'vpc': _str(body, 'withinVPC', base=where_body),
    }


# The values of the enumerated spec fields (choices.py holds the same values as ChoiceSets; a test keeps them equal).
SWITCH_ROLES = ('spine', 'server-leaf', 'border-leaf', 'mixed-leaf', 'virtual-edge')
REDUNDANCY_TYPES = ('eslag', 'mclag')
# spec.mode -> the stored mode: the API's empty string (the default) means L2VNI.
VPC_MODES = {'': 'l2vni', 'l2vni': 'l2vni', 'l3vni': 'l3vni'}
# An External or ExternalAttachment with a `static` section is static, otherwise BGP.
EXTERNAL_BGP, EXTERNAL_STATIC = 'bgp', 'static'


def _one_of(value, allowed, path):
    if value and value not in allowed:
        raise SpecError(f'{path}: {value!r} is not one of {", ".join(a for a in allowed if a)}')
    return value


def derive_switch(spec):
    role = _one_of(_str(spec, 'role'), SWITCH_ROLES, 'spec.role')
    return {
        'role': role,
        'description': _str(spec, 'description'),
        'profile': _str(spec, 'profile'),
        'groups': _str_list(spec, 'groups'),
        'redundancy_group': _str(spec, 'redundancy.group'),
        'redundancy_type': _one_of(_str(spec, 'redundancy.type'), REDUNDANCY_TYPES, 'spec.redundancy.type'),
        'vlan_namespaces': _str_list(spec, 'vlanNamespaces'),
        'asn': _int(spec, 'asn'),
        'ip': _str(spec, 'ip'),
        'protocol_ip': _str(spec, 'protocolIP'),
        'vtep_ip': _str(spec, 'vtepIP'),
        'boot_serial': _str(spec, 'boot.serial'),
        'boot_mac': _str(spec, 'boot.mac'),
        'breakouts': {str(k): str(v) for k, v in _dict(spec, 'portBreakouts').items()},
    }


def derive_switch_profile(spec):
    return {
        'display_name': _str(spec, 'displayName'),
        'switch_silicon': _str(spec, 'switchSilicon'),
        'nos_type': _str(spec, 'nosType'),
        'platform': _str(spec, 'platform'),
        'port_count': len(_dict(spec, 'ports')),
    }


def derive_server(spec):
    return {
        'description': _str(spec, 'description'),
        'profile': _str(spec, 'profile'),
    }


def derive_vlan_namespace(spec):
    ranges = []
    for i, item in enumerate(_list_of_dicts(spec, 'ranges')):
        start = _int(item, 'from', base=f'spec.ranges[{i}]')
        end = _int(item, 'to', base=f'spec.ranges[{i}]')
        if start is None:
            raise SpecError(f'spec.ranges[{i}].from: required')
        end = end or start  # "to: 0" (or no "to") means a range of one VLAN
        if not 1 <= start <= end <= 4094:
            raise SpecError(f'spec.ranges[{i}]: expected 1 <= from <= to <= 4094, got {start}-{end}')
        ranges.append(f'{start}-{end}')
    return {'ranges': ranges}


def derive_ipv4_namespace(spec):
    return {'subnets': _str_list(spec, 'subnets')}


def derive_vpc(spec):
    subnets = _dict(spec, 'subnets')
    cidrs, vlans = [], []
    for name, subnet in sorted(subnets.items(), key=lambda item: str(item[0])):
        if not isinstance(subnet, dict):
            raise SpecError(f'spec.subnets.{name}: expected an object')
        cidr = _str(subnet, 'subnet', base=f'spec.subnets.{name}')
        if cidr:
            cidrs.append(cidr)
        vlan = _int(subnet, 'vlan', base=f'spec.subnets.{name}')
        if vlan is not None:
            vlans.append(vlan)
    mode = _one_of(_str(spec, 'mode'), tuple(VPC_MODES), 'spec.mode')
    return {
        'mode': VPC_MODES[mode],
        'ipv4_namespace': _str(spec, 'ipv4Namespace') or 'default',
        'vlan_namespace': _str(spec, 'vlanNamespace') or 'default',
        'subnet_names': sorted(str(n) for n in subnets),
        'subnets': cidrs,
        'vlans': sorted(vlans),
    }


def derive_vpc_attachment(spec):
    subnet = _str(spec, 'subnet')
    vpc, _, subnet_name = subnet.partition('/')
    subnet_name = subnet_name or 'default'
    return {
        'vpc': vpc,
        'subnet': subnet_name if vpc else '',
        'connection': _str(spec, 'connection'),
        'native_vlan': _bool(spec, 'nativeVLAN'),
    }


def derive_vpc_peering(spec):
    permit = _get(spec, 'permit') or []
    if not isinstance(permit, list):
        raise SpecError('spec.permit: expected a list')
    vpcs = set()
    for i, entry in enumerate(permit):
        if not isinstance(entry, dict):
            raise SpecError(f'spec.permit[{i}]: expected an object keyed by VPC name')
        vpcs.update(str(k) for k in entry)
    return {'vpcs': sorted(vpcs)}


def derive_external(spec):
    static = _get(spec, 'static')
    return {
        'ipv4_namespace': _str(spec, 'ipv4Namespace') or 'default',
        'inbound_community': _str(spec, 'inboundCommunity'),
        'outbound_community': _str(spec, 'outboundCommunity'),
        'static_prefixes': _str_list(spec, 'static.prefixes'),
        'external_type': EXTERNAL_STATIC if static is not None else EXTERNAL_BGP,
    }


def derive_external_attachment(spec):
    static = _get(spec, 'static')
    if static is not None:
        vlan = _int(spec, 'static.vlan')
        _bool(spec, 'static.proxy')  # a boolean: proxy ARP instead of an IP of the switch's own
        ip = _str(spec, 'static.ip')
    else:
        vlan = _int(spec, 'switch.vlan')
        ip = _str(spec, 'switch.ip')
    return {
        'external': _str(spec, 'external'),
        'connection': _str(spec, 'connection'),
        'vlan': vlan,
        'switch_ip': ip,
        'neighbor_asn': _int(spec, 'neighbor.asn'),
        'neighbor_ip': _str(spec, 'neighbor.ip') or _str(spec, 'static.remoteIP'),
        'external_type': EXTERNAL_STATIC if static is not None else EXTERNAL_BGP,
    }


def derive_external_peering(spec):
    prefixes = []
    for i, item in enumerate(_list_of_dicts(spec, 'permit.external.prefixes')):
        prefix = _str(item, 'prefix', base=f'spec.permit.external.prefixes[{i}]')
        if not prefix:
            raise SpecError(f'spec.permit.external.prefixes[{i}].prefix: required')
        prefixes.append(prefix)
    return {
        'vpc': _str(spec, 'permit.vpc.name'),
        'vpc_subnets': _str_list(spec, 'permit.vpc.subnets'),
        'external': _str(spec, 'permit.external.name'),
        'prefixes': prefixes,
    }


def derive_gateway(spec):
    groups = []
    for i, item in enumerate(_list_of_dicts(spec, 'groups')):
        name = _str(item, 'name', base=f'spec.groups[{i}]')
        if not name:
            raise SpecError(f'spec.groups[{i}].name: required')
        groups.append(name)
    return {
        'asn': _int(spec, 'asn'),
        'protocol_ip': _str(spec, 'protocolIP'),
        'vtep_ip': _str(spec, 'vtepIP'),
        'workers': _int(spec, 'workers'),
        'interfaces': sorted(str(k) for k in _dict(spec, 'interfaces')),
        'groups': groups,
    }


def derive_gateway_peering(spec):
    peering = _dict(spec, 'peering')
    prefixes = set()
    for name, entry in peering.items():
        where = f'spec.peering.{name}'
        if entry is not None and not isinstance(entry, dict):
            raise SpecError(f'{where}: expected an object with "expose"')
        for i, expose in enumerate(_list_of_dicts(entry or {}, 'expose', base=where)):
            for key in ('ips', 'as'):
                for j, item in enumerate(_list_of_dicts(expose, key, base=f'{where}.expose[{i}]')):
                    cidr = _str(item, 'cidr', base=f'{where}.expose[{i}].{key}[{j}]')
                    if cidr:
                        prefixes.add(cidr)
    return {
        'gateway_group': _str(spec, 'gatewayGroup') or 'default',
        'vpcs': sorted(str(name) for name in peering),
        'prefixes': sorted(prefixes),
    }


def derive_nothing(spec):
    return {}


@dataclass(frozen=True)
class ApiResource:
    """A kind of the Kubernetes API and where it is served (the core group is the empty one)."""
    kind: str
    group: str
    version: str
    plural: str

    @property
    def api_version(self):
        return f'{self.group}/{self.version}' if self.group else self.version


@dataclass(frozen=True)
class KindSpec(ApiResource):
    """One Hedgehog custom resource kind, how NetBox stores it and where people find it."""
    model_name: str
    # The URL path segment of the kind's pages (urls.py) and of its REST API endpoint (api/urls.py).
    slug: str
    derive: object = field(compare=False, repr=False)
    # The navigation menu group (one of MENU_GROUPS, which also orders a fabric's object counts), the kind's place
    # within it, and the plural name people read there and on a fabric's page.
    menu_group: str = ''
    menu_position: int = 0
    label: str = ''
    # Typed columns that name other objects of the same fabric: {column: referenced model name}.
    references: dict = field(default_factory=dict, compare=False)
    # Owned by the fabric controller: NetBox never creates or edits it, nor writes it to Git.
    read_only: bool = False

    @property
    def model(self):
        from django.apps import apps
        return apps.get_model('netbox_hedgehog', self.model_name)

    def typed_fields(self, spec):
        """The typed column values for `spec`; raises SpecError naming the offending field."""
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise SpecError(f'spec: expected an object, got {type(spec).__name__}')
        return self.derive(spec)


# The groups of the navigation menu, in menu order (Fabrics and Sync Runs come first, see navigation.py).
MENU_GROUPS = ('Wiring', 'VPCs', 'Externals', 'Gateways')

# Order matters: referenced kinds come before the kinds that reference them.
KINDS = (
    KindSpec('VLANNamespace', WIRING, 'v1beta1', 'vlannamespaces', 'vlannamespace', 'vlan-namespaces',
             derive_vlan_namespace, menu_group='Wiring', menu_position=6, label='VLAN Namespaces'),
    KindSpec('SwitchGroup', WIRING, 'v1beta1', 'switchgroups', 'switchgroup', 'switch-groups', derive_nothing,
             menu_group='Wiring', menu_position=2, label='Switch Groups'),
    KindSpec('SwitchProfile', WIRING, 'v1beta1', 'switchprofiles', 'switchprofile', 'switch-profiles',
             derive_switch_profile, menu_group='Wiring', menu_position=3, label='Switch Profiles', read_only=True),
    KindSpec('Switch', WIRING, 'v1beta1', 'switches', 'switch', 'switches', derive_switch,
             menu_group='Wiring', menu_position=1, label='Switches',
             references={'profile': 'switchprofile', 'groups': 'switchgroup', 'redundancy_group': 'switchgroup',
                         'vlan_namespaces': 'vlannamespace'}),
    KindSpec('Server', WIRING, 'v1beta1', 'servers', 'server', 'servers', derive_server,
             menu_group='Wiring', menu_position=4, label='Servers'),
    KindSpec('IPv4Namespace', VPC, 'v1beta1', 'ipv4namespaces', 'ipv4namespace', 'ipv4-namespaces',
             derive_ipv4_namespace, menu_group='VPCs', menu_position=1, label='IPv4 Namespaces'),
    KindSpec('GatewayGroup', GATEWAY, 'v1alpha1', 'gatewaygroups', 'gatewaygroup', 'gateway-groups', derive_nothing,
             menu_group='Gateways', menu_position=2, label='Gateway Groups'),
    KindSpec('Gateway', GATEWAY, 'v1alpha1', 'gateways', 'gateway', 'gateways', derive_gateway,
             menu_group='Gateways', menu_position=1, label='Gateways',
             references={'groups': 'gatewaygroup'}),
    KindSpec('Connection', WIRING, 'v1beta1', 'connections', 'connection', 'connections', derive_connection,
             menu_group='Wiring', menu_position=5, label='Connections',
             references={'switches': 'switch', 'servers': 'server', 'gateways': 'gateway', 'vpc': 'vpc'}),
    KindSpec('VPC', VPC, 'v1beta1', 'vpcs', 'vpc', 'vpcs', derive_vpc,
             menu_group='VPCs', menu_position=2, label='VPCs',
             references={'ipv4_namespace': 'ipv4namespace', 'vlan_namespace': 'vlannamespace'}),
    KindSpec('VPCAttachment', VPC, 'v1beta1', 'vpcattachments', 'vpcattachment', 'vpc-attachments',
             derive_vpc_attachment, menu_group='VPCs', menu_position=3, label='VPC Attachments',
             references={'vpc': 'vpc', 'connection': 'connection'}),
    KindSpec('VPCPeering', VPC, 'v1beta1', 'vpcpeerings', 'vpcpeering', 'vpc-peerings', derive_vpc_peering,
             menu_group='VPCs', menu_position=4, label='VPC Peerings',
             references={'vpcs': 'vpc'}),
    KindSpec('External', VPC, 'v1beta1', 'externals', 'external', 'externals', derive_external,
             menu_group='Externals', menu_position=1, label='Externals',
             references={'ipv4_namespace': 'ipv4namespace'}),
    KindSpec('ExternalAttachment', VPC, 'v1beta1', 'externalattachments', 'externalattachment',
             'external-attachments', derive_external_attachment,
             menu_group='Externals', menu_position=2, label='External Attachments',
             references={'external': 'external', 'connection': 'connection'}),
    KindSpec('ExternalPeering', VPC, 'v1beta1', 'externalpeerings', 'externalpeering', 'external-peerings',
             derive_external_peering, menu_group='Externals', menu_position=3, label='External Peerings',
             references={'vpc': 'vpc', 'external': 'external'}),
    KindSpec('GatewayPeering', GATEWAY, 'v1alpha1', 'gatewaypeerings', 'gatewaypeering', 'gateway-peerings',
             derive_gateway_peering, menu_group='Gateways', menu_position=3, label='Gateway Peerings',
             references={'gateway_group': 'gatewaygroup', 'vpcs': 'vpc'}),
)

KIND_BY_NAME = {k.kind: k for k in KINDS}
KIND_BY_MODEL = {k.model_name: k for k in KINDS}


def menu_groups():
    """[(group, [KindSpec, ...])] in menu order: the navigation menu, and the object counts on a fabric's page."""
    return [
        (group, sorted((k for k in KINDS if k.menu_group == group), key=lambda k: k.menu_position))
        for group in MENU_GROUPS
    ]


def to_manifest(kind_spec, name, spec, labels=None, annotations=None, namespace='default', managed_labels=True):
    """Render one object as the Kubernetes manifest a person would write (or Git would hold)."""
    metadata = {'name': name, 'namespace': namespace}
    labels = {k: v for k, v in (labels or {}).items() if managed_labels or MANAGED_LABEL_MARKER not in k}
    if labels:
        metadata['labels'] = labels
    if annotations:
        metadata['annotations'] = dict(annotations)
    return {
        'apiVersion': kind_spec.api_version,
        'kind': kind_spec.kind,
        'metadata': metadata,
        'spec': spec if spec is not None else {},
    }
