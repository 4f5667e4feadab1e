"""What the fabric is in NetBox's own inventory: the Hedgehog objects of one fabric turned into the dcim/ipam objects
that show them, each with the fields the projection manages.

Plain Python without database access: `project()` takes the fabric's objects (name -> spec per kind) and returns
`Want`s, which name each other through `Ref`s (model label, key) that the planner resolves to primary keys.
"""
import hashlib
import ipaddress
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from django.db.backends.postgresql.psycopg_any import NumericRange
from django.utils.text import slugify

from netbox_hedgehog.kinds import KIND_BY_NAME, SpecError, parse_port
from netbox_hedgehog.live.cabling import neighbour_text, nos_to_api

__all__ = (
    'MODELS',
    'Kept',
    'Projection',
    'Ref',
    'Want',
    'live_view',
    'project',
)

# The NetBox models of the projection, in the order their objects are planned (an object refers only to objects of
# models before it; the primary IP of a device is the exception, resolved once every model is planned).
MODELS = (
    'dcim.manufacturer', 'dcim.devicerole', 'dcim.platform', 'dcim.devicetype', 'dcim.interfacetemplate',
    'dcim.device',
    'dcim.interface', 'ipam.vrf', 'ipam.vlangroup', 'ipam.vlan', 'ipam.prefix', 'ipam.ipaddress', 'dcim.cable',
)

# The fields each model's wants set (by attname); every other field of a projected object is left alone.
MANAGED_FIELDS = {
    'dcim.manufacturer': ('name', 'slug'),
    'dcim.devicerole': ('name', 'slug', 'color'),
    'dcim.platform': ('name', 'slug'),
    'dcim.devicetype': ('manufacturer_id', 'model', 'slug'),
    'dcim.interfacetemplate': ('device_type_id', 'name', 'type', 'mgmt_only'),
    'dcim.device': ('name', 'site_id', 'device_type_id', 'role_id', 'tenant_id', 'serial', 'platform_id',
                    'description', 'primary_ip4_id'),
    'dcim.interface': ('device_id', 'name', 'type', 'mgmt_only', 'enabled', 'lag_id', 'description', 'mode',
                       'untagged_vlan_id'),
    'ipam.vrf': ('name', 'tenant_id', 'description'),
    'ipam.vlangroup': ('name', 'slug', 'scope_type_id', 'scope_id', 'vid_ranges', 'tenant_id', 'description'),
    'ipam.vlan': ('group_id', 'vid', 'name', 'tenant_id', 'status'),
    'ipam.prefix': ('prefix', 'vrf_id', 'vlan_id', 'status', 'tenant_id', 'description'),
    'ipam.ipaddress': ('address', 'vrf_id', 'status', 'role', 'assigned_object_type_id', 'assigned_object_id',
                       'tenant_id', 'description'),
    'dcim.cable': ('status', 'tenant_id', 'description'),
}

# Interface types by port speed (the speed a SwitchProfile port or breakout mode names).
SPEED_TYPES = {
    '1G': '1000base-t', '10G': '10gbase-x-sfpp', '25G': '25gbase-x-sfp28', '40G': '40gbase-x-qsfpp',
    '50G': '50gbase-x-sfp56', '100G': '100gbase-x-qsfp28', '200G': '200gbase-x-qsfp56', '400G': '400gbase-x-qsfpdd',
    '800G': '800gbase-x-qsfpdd',
}
ROLE_COLORS = {
    'spine': '2196f3', 'server-leaf': '4caf50', 'border-leaf': 'ff9800', 'mixed-leaf': '009688',
    'virtual-edge': '9c27b0', 'server': '607d8b', 'gateway': 'f44336',
}
HEDGEHOG_MANUFACTURER = 'Hedgehog'
MANAGEMENT_PORT = 'M1'
LOOPBACK = 'Loopback0'
INTERFACE_NAME_MAX = 64
# Connection types whose links are cables between two devices, and those whose ends form LAGs.
CABLED = ('unbundled', 'bundled', 'mclag', 'eslag', 'fabric', 'mesh', 'gateway', 'vpcLoopback', 'mclagDomain')
LAGGED = ('bundled', 'mclag', 'eslag')
EXTERNAL = ('external', 'staticExternal')
SINGLE_LINK = ('unbundled', *EXTERNAL)
# An interface description is the fabric's text, then what the switch reports: '<fabric text>; oper up; LLDP x/y'.
DESCRIPTION_SEP = '; '
LIVE_START = 'oper '
NOS_NAME = 'SONiC'


class Ref(NamedTuple):
    """Another projected object, by model label and key."""
    model: str
    key: str


class Kept(NamedTuple):
    """A managed value the fabric does not know (live state not reported, no serial number): `default` for a new
    object, while an existing object keeps its own value (`merge` given: the value `merge` makes of its own)."""
    default: object
    merge: object = None

    def given(self, current):
        return current if self.merge is None else self.merge(current)


@dataclass(slots=True)
class Want:
    """One NetBox object the fabric needs: the Hedgehog object it shows, its key, its managed fields (values or Refs)
    and the fields an existing object must match to be adopted."""
    kind: str
    name: str
    key: str
    fields: dict
    match: tuple


@dataclass
class Projection:
    wants: dict = field(default_factory=lambda: {model: {} for model in MODELS})
    # Cable ends {cable key: (a interface Ref, b interface Ref)} and tagged VLANs {interface key: {vlan Ref}}
    cable_ends: dict = field(default_factory=dict)
    tagged_vlans: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)          # (NetBox model, kind, name, message)

    def add(self, model, want):
        """Add `want` unless its key is there already (the first Hedgehog object to name a port owns it)."""
        return self.wants[model].setdefault(want.key, want)


def _mapping(value):
    """`value` when it is a mapping, else an empty one: optional parts of a spec the registry does not type."""
    return value if isinstance(value, dict) else {}


def _lag_name(connection):
    name = f'lag-{connection}'
    if len(name) <= INTERFACE_NAME_MAX:
        return name
    digest = hashlib.sha1(connection.encode()).hexdigest()[:8]
    return f'{name[:INTERFACE_NAME_MAX - 9]}-{digest}'


def _speed_type(mode):
    """'4x25G' or 'QSFP28-100G' -> the interface type of its speed ('other' when it names none)."""
    speed = mode.rsplit('x', 1)[-1].rsplit('-', 1)[-1].upper() if mode else ''
    return SPEED_TYPES.get(speed, 'other')


def _description(base, live):
    return DESCRIPTION_SEP.join(part for part in (base, live) if part)[:200]


def _live_part(description):
    """The part of an interface description that the last report of its switch wrote (from 'oper ' on), or ''."""
    if description.startswith(LIVE_START):
        return description
    _base, found, live = description.partition(DESCRIPTION_SEP + LIVE_START)
    return LIVE_START + live if found else ''


def _keep_live_part(base, current):
    return _description(base, _live_part(current or ''))


def platform_name(version):
    """The NetBox platform of a switch NOS version: 'SONiC <version>' (the version as the agent reports it)."""
    return version if version.lower().startswith(NOS_NAME.lower()) else f'{NOS_NAME} {version}'


def _lanes(mode):
    count = mode.split('x', 1)[0] if 'x' in mode else ''
    return int(count) if count.isdigit() else 1


class _Builder:
    def __init__(self, objects, site_id, tenant_id, site_type_id, interface_type_id):
        self.objects = objects
        self.site_id, self.tenant_id = site_id, tenant_id
        self.site_type_id, self.interface_type_id = site_type_id, interface_type_id
        self.p = Projection()
        self.devices = {}       # device name -> ('switch' | 'server' | 'gateway')

    def specs(self, kind):
        return self.objects.get(kind, {})

    # dcim catalog

    def manufacturer(self, kind, name, manufacturer):
        slug = slugify(manufacturer)[:100]
        self.p.add('dcim.manufacturer', Want(kind, name, slug, {'name': manufacturer[:100], 'slug': slug}, (slug,)))
        return Ref('dcim.manufacturer', slug)

    def role(self, kind, name, role):
        slug = slugify(role)[:100]
        self.p.add('dcim.devicerole', Want(kind, name, slug, {'name': role[:100], 'slug': slug,
                                                              'color': ROLE_COLORS.get(role, '9e9e9e')}, (slug,)))
        return Ref('dcim.devicerole', slug)

    def device_type(self, kind, name, manufacturer, model):
        manufacturer_ref = self.manufacturer(kind, name, manufacturer)
        slug = slugify(model)[:100]
        key = f'{manufacturer_ref.key}/{slug}'
        self.p.add('dcim.devicetype', Want(kind, name, key, {
            'manufacturer_id': manufacturer_ref, 'model': model[:100], 'slug': slug,
        }, (manufacturer_ref, slug)))
        return Ref('dcim.devicetype', key)

    def platform(self, kind, name, version):
        label = platform_name(version)[:100]
        slug = slugify(label.replace('.', '-'))[:100]
        self.p.add('dcim.platform', Want(kind, name, slug, {'name': label, 'slug': slug}, (slug,)))
        return Ref('dcim.platform', slug)

    def profile_ports(self, profile):
        """{port: (type, breakout default)} of a SwitchProfile in the fabric, or None when the fabric lacks it."""
        spec = self.specs('SwitchProfile').get(profile)
        if spec is None:
            return None
        port_profiles = _mapping(spec.get('portProfiles'))
        ports = {}
        for port, port_spec in sorted(_mapping(spec.get('ports')).items()):
            profile_name = str(_mapping(port_spec).get('profile') or '')
            port_profile = _mapping(port_profiles.get(profile_name))
            breakout = str(_mapping(port_profile.get('breakout')).get('default') or '')
            speed = str(_mapping(port_profile.get('speed')).get('default') or '')
            ports[str(port)] = (_speed_type(breakout or speed or profile_name), breakout)
        return ports

    def switch_profiles(self):
        for name, spec in self.specs('SwitchProfile').items():
            display = str(spec.get('displayName') or name)
            type_ref = self.device_type('SwitchProfile', name, display.split()[0] if display else name, display)
            for port, (port_type, _breakout) in self.profile_ports(name).items():
                key = f'{type_ref.key}/{port}'
                self.p.add('dcim.interfacetemplate', Want('SwitchProfile', name, key, {
                    'device_type_id': type_ref, 'name': port, 'type': port_type, 'mgmt_only': port.startswith('M'),
                }, (type_ref, port)))

    # devices and interfaces

    def device(self, kind, name, role, type_ref, description='', serial=''):
        key = name
        self.devices[name] = kind
        self.p.add('dcim.device', Want(kind, name, key, {
            'name': name[:64], 'site_id': self.site_id, 'device_type_id': type_ref, 'role_id': self.role(kind, name,
                                                                                                            role),
            'tenant_id': self.tenant_id, 'serial': Kept(serial[:50]), 'platform_id': Kept(None),
            'description': description[:200], 'primary_ip4_id': None,
        }, (self.site_id, name[:64])))
        return Ref('dcim.device', key)

    def interface(self, kind, name, device, port, port_type='other', mgmt_only=False, lag=None, description=''):
        key = f'{device}/{port}'
        want = self.p.add('dcim.interface', Want(kind, name, key, {
            'device_id': Ref('dcim.device', device), 'name': port[:INTERFACE_NAME_MAX], 'type': port_type,
            'mgmt_only': mgmt_only, 'enabled': Kept(True), 'lag_id': lag, 'description': description[:200],
            'mode': None,
            'untagged_vlan_id': None,
        }, (Ref('dcim.device', device), port[:INTERFACE_NAME_MAX])))
        if lag is not None and want.fields['lag_id'] is None:
            want.fields['lag_id'] = lag
        if description and not want.fields['description']:
            want.fields['description'] = description[:200]
        return Ref('dcim.interface', key)

    def cidr(self, kind, name, value, interface=False):
        """`value` as NetBox stores it ('10.0.0.0/24'; an address without a length is a /32), or None (reported)
        when it is not an IPv4/IPv6 address or network."""
        try:
            return str(ipaddress.ip_interface(value) if interface else ipaddress.ip_network(value, strict=False))
        except ValueError:
            what = 'address' if interface else 'prefix'
            self.p.errors.append((f'ipam.{"ipaddress" if interface else "prefix"}', kind, name,
                                  f'{value!r} is not an IP {what}; not projected'))
            return None

    def address(self, kind, name, interface, address, role='', description=''):
        address = self.cidr(kind, name, address, interface=True) if address else None
        if address is None:
            return None
        key = f'{interface.key}/{address}'
        self.p.add('ipam.ipaddress', Want(kind, name, key, {
            'address': address, 'vrf_id': None, 'status': 'active', 'role': role,
            'assigned_object_type_id': self.interface_type_id, 'assigned_object_id': interface,
            'tenant_id': self.tenant_id, 'description': description[:200],
        }, (None, address)))
        return Ref('ipam.ipaddress', key)

    def switches(self):
        for name, spec in self.specs('Switch').items():
            typed = KIND_BY_NAME['Switch'].typed_fields(spec)
            profile = typed['profile'] or 'unknown'
            ports = self.profile_ports(profile)
            if ports is not None:
                display = str(self.specs('SwitchProfile')[profile].get('displayName') or profile)
                type_ref = self.device_type('Switch', name, display.split()[0], display)
            else:
                type_ref = self.device_type('Switch', name, profile.split('-')[0], profile)
            self.device('Switch', name, typed['role'] or 'switch', type_ref, typed['description'],
                        typed['boot_serial'])
            breakouts = typed['breakouts']
            for port, (port_type, default) in (ports or {}).items():
                mode = breakouts.get(port, default)
                self.interface('Switch', name, name, port, port_type, mgmt_only=port.startswith('M'),
                               description=f'breakout {mode}' if mode else '')
                if _lanes(mode) > 1:
                    for lane in range(1, _lanes(mode) + 1):
                        self.interface('Switch', name, name, f'{port}/{lane}', _speed_type(mode))
            if ports is None:
                for port, mode in breakouts.items():
                    for lane in range(1, _lanes(mode) + 1):
                        self.interface('Switch', name, name, f'{port}/{lane}', _speed_type(mode))
            management = self.interface('Switch', name, name, MANAGEMENT_PORT, '1000base-t', mgmt_only=True)
            primary = self.address('Switch', name, management, typed['ip'], description='management')
            self.p.wants['dcim.device'][name].fields['primary_ip4_id'] = primary
            if typed['protocol_ip'] or typed['vtep_ip']:
                loopback = self.interface('Switch', name, name, LOOPBACK, 'virtual')
                self.address('Switch', name, loopback, typed['protocol_ip'], 'loopback', 'protocol IP')
                self.address('Switch', name, loopback, typed['vtep_ip'], 'anycast', 'VTEP IP')

    def servers(self):
        for name, spec in self.specs('Server').items():
            typed = KIND_BY_NAME['Server'].typed_fields(spec)
            server_type = self.device_type('Server', name, HEDGEHOG_MANUFACTURER, 'Hedgehog server')
            self.device('Server', name, 'server', server_type, description=typed['description'])

    def gateways(self):
        for name, spec in self.specs('Gateway').items():
            typed = KIND_BY_NAME['Gateway'].typed_fields(spec)
            gateway_type = self.device_type('Gateway', name, HEDGEHOG_MANUFACTURER, 'Hedgehog gateway')
            self.device('Gateway', name, 'gateway', gateway_type)
            interfaces = _mapping(spec.get('interfaces'))
            for port in typed['interfaces']:
                interface = self.interface('Gateway', name, name, port)
                ips = _mapping(interfaces.get(port)).get('ips') or []
                for ip in ips if isinstance(ips, list) else []:
                    self.address('Gateway', name, interface, str(ip))
            if typed['protocol_ip'] or typed['vtep_ip']:
                loopback = self.interface('Gateway', name, name, LOOPBACK, 'virtual')
                self.address('Gateway', name, loopback, typed['protocol_ip'], 'loopback', 'protocol IP')
                self.address('Gateway', name, loopback, typed['vtep_ip'], 'anycast', 'VTEP IP')

    # connections

    def links(self, ctype, body):
        """[(link, [(role, end)])] of a connection body, each end a dict with a parsed `port` (and maybe `ip`)."""
        if ctype in SINGLE_LINK:
            raw = [body.get('link') or {}]
        else:
            raw = [link for key in ('links', 'peerLinks', 'sessionLinks') for link in (body.get(key) or [])]
        links = []
        for link in raw:
            ends = []
            for role, end in sorted(link.items()):
                if isinstance(end, dict) and 'port' in end:
                    kind = 'server' if role == 'server' else 'gateway' if role == 'gateway' else 'switch'
                    ends.append((role, {**end, 'parsed': parse_port(end['port'], role, kind)}))
            links.append(ends)
        return links

    def connections(self):
        for name, spec in self.specs('Connection').items():
            if not spec:
                continue
            try:
                self.connection(name, spec)
            except SpecError as e:
                self.p.errors.append(('dcim.cable', 'Connection', name, str(e)))

    def end_interface(self, name, end, lag=None, description=''):
        parsed = end['parsed']
        device, port = parsed['device'], parsed['port']
        if device not in self.devices:
            raise SpecError(f'names {parsed["device_kind"]} {device!r}, which is not in the fabric')
        return self.interface('Connection', name, device, port, lag=lag, description=description)

    def connection(self, name, spec):
        ctype = next(iter(spec))
        body = _mapping(spec[ctype])
        links = self.links(ctype, body)
        if ctype in EXTERNAL:
            for _role, end in links[0]:
                interface = self.end_interface(name, end, description=f'{ctype} {name}')
                self.address('Connection', name, interface, str(end.get('ip') or ''), description=f'{ctype} {name}')
            return
        if ctype not in CABLED:
            return
        lags = {}
        if ctype in LAGGED:
            for ends in links:
                for _role, end in ends:
                    device = end['parsed']['device']
                    if device not in lags:
                        lags[device] = self.interface('Connection', name, device, _lag_name(name), 'lag',
                                                      description=f'{ctype} {name}')
        for index, ends in enumerate(links):
            if len(ends) != 2:
                continue
            refs = []
            for _role, end in ends:
                interface = self.end_interface(name, end, lag=lags.get(end['parsed']['device']))
                self.address('Connection', name, interface, str(end.get('ip') or ''), description=f'{ctype} {name}')
                refs.append(interface)
            key = f'{refs[0].key}--{refs[1].key}'
            self.p.add('dcim.cable', Want('Connection', name, key, {
                'status': 'connected', 'tenant_id': self.tenant_id, 'description': f'{ctype} {name} #{index + 1}'[:200],
            }, ()))
            self.p.cable_ends[key] = tuple(refs)

    # ipam

    def vlan_namespaces(self):
        for name, spec in self.specs('VLANNamespace').items():
            typed = KIND_BY_NAME['VLANNamespace'].typed_fields(spec)
            ranges = [NumericRange(int(r.split('-')[0]), int(r.split('-')[1]) + 1) for r in typed['ranges']]
            self.p.add('ipam.vlangroup', Want('VLANNamespace', name, name, {
                'name': name[:100], 'slug': slugify(name)[:100], 'scope_type_id': self.site_type_id,
                'scope_id': self.site_id, 'vid_ranges': ranges, 'tenant_id': self.tenant_id,
                'description': 'Hedgehog VLAN namespace',
            }, (self.site_type_id, self.site_id, name[:100])))

    def ipv4_namespaces(self):
        for name, spec in self.specs('IPv4Namespace').items():
            for subnet in KIND_BY_NAME['IPv4Namespace'].typed_fields(spec)['subnets']:
                subnet = self.cidr('IPv4Namespace', name, subnet)
                if subnet is None:
                    continue
                self.p.add('ipam.prefix', Want('IPv4Namespace', name, f'/{subnet}', {
                    'prefix': subnet, 'vrf_id': None, 'vlan_id': None, 'status': 'container',
                    'tenant_id': self.tenant_id, 'description': f'Hedgehog IPv4 namespace {name}'[:200],
                }, (None, subnet)))

    def vpcs(self):
        for name, spec in self.specs('VPC').items():
            typed = KIND_BY_NAME['VPC'].typed_fields(spec)
            self.p.add('ipam.vrf', Want('VPC', name, name, {
                'name': name[:100], 'tenant_id': self.tenant_id, 'description': f'Hedgehog VPC ({typed["mode"]})',
            }, (name[:100],)))
            for subnet_name, subnet in sorted(_mapping(spec.get('subnets')).items()):
                vlan = None
                vid = subnet.get('vlan')
                group = typed['vlan_namespace']
                if vid and group in self.specs('VLANNamespace'):
                    vkey = f'{group}/{vid}'
                    self.p.add('ipam.vlan', Want('VPC', name, vkey, {
                        'group_id': Ref('ipam.vlangroup', group), 'vid': int(vid),
                        'name': f'{name}/{subnet_name}'[:64], 'tenant_id': self.tenant_id, 'status': 'active',
                    }, (Ref('ipam.vlangroup', group), int(vid))))
                    vlan = Ref('ipam.vlan', vkey)
                cidr = self.cidr('VPC', name, str(subnet['subnet'])) if subnet.get('subnet') else None
                if cidr:
                    self.p.add('ipam.prefix', Want('VPC', name, f'{name}/{cidr}', {
                        'prefix': cidr, 'vrf_id': Ref('ipam.vrf', name), 'vlan_id': vlan, 'status': 'active',
                        'tenant_id': self.tenant_id, 'description': f'Hedgehog VPC subnet {name}/{subnet_name}'[:200],
                    }, (Ref('ipam.vrf', name), cidr)))

    def _switch_ports(self, name, connection):
        """The keys of the switch interfaces a connection's attachments tag, sorted (its LAG's where it has one)."""
        ctype = next(iter(connection), None)
        if ctype is None:
            return []
        keys = set()
        for ends in self.links(ctype, _mapping(connection[ctype])):
            for _role, end in ends:
                parsed = end['parsed']
                if parsed['device_kind'] == 'switch':
                    port = _lag_name(name) if ctype in LAGGED else parsed['port']
                    keys.add(f'{parsed["device"]}/{port}')
        return sorted(keys)

    def attachments(self):
        connections = self.specs('Connection')
        # Attachments share VPCs and connections: each is interpreted once.
        groups, ports = {}, {}
        for name, spec in self.specs('VPCAttachment').items():
            typed = KIND_BY_NAME['VPCAttachment'].typed_fields(spec)
            vpc = self.specs('VPC').get(typed['vpc'])
            connection = connections.get(typed['connection'])
            if vpc is None or connection is None:
                continue
            subnet = _mapping(_mapping(vpc.get('subnets')).get(typed['subnet']))
            if typed['vpc'] not in groups:
                groups[typed['vpc']] = KIND_BY_NAME['VPC'].typed_fields(vpc)['vlan_namespace']
            vlan = self.p.wants['ipam.vlan'].get(f'{groups[typed["vpc"]]}/{subnet.get("vlan")}')
            if vlan is None:
                continue
            if typed['connection'] not in ports:
                ports[typed['connection']] = self._switch_ports(typed['connection'], connection)
            for key in ports[typed['connection']]:
                want = self.p.wants['dcim.interface'].get(key)
                if want is None:
                    continue
                want.fields['mode'] = 'tagged'
                if typed['native_vlan']:
                    want.fields['untagged_vlan_id'] = Ref('ipam.vlan', vlan.key)
                else:
                    self.p.tagged_vlans.setdefault(key, set()).add(Ref('ipam.vlan', vlan.key))


    def live_state(self, live):
        """What the switches' agents report (`live`: their `live_view`): a switch device's
        serial number and platform, and on its interfaces the admin state (`enabled`) and, after the fabric's
        description, the operational state and the LLDP neighbours. Interfaces the agent does not report keep the
        live part of their description; a device without an agent keeps its serial (a new one gets `boot.serial`)
        and platform."""
        profiles = {name: KIND_BY_NAME['Switch'].typed_fields(spec)['profile'] for name, spec
                    in self.specs('Switch').items()}
        by_profile = {profile: nos_to_api(self.specs('SwitchProfile').get(profile))
                      for profile in set(profiles.values())}
        port_names = {name: by_profile[profile] for name, profile in profiles.items()}
        devices = self.p.wants['dcim.device']
        for name in profiles:
            state = live.get(name) or {}
            if state.get('serial'):
                devices[name].fields['serial'] = state['serial'][:50]
            if state.get('nos_version'):
                devices[name].fields['platform_id'] = self.platform('Switch', name, state['nos_version'])
        for key, want in self.p.wants['dcim.interface'].items():
            device, port = key.split('/', 1)
            if self.devices.get(device) != 'Switch':
                continue
            base = want.fields['description']
            reported = (live.get(device) or {}).get('interfaces', {}).get(port)
            if not reported:
                want.fields['description'] = Kept(base, partial(_keep_live_part, base))
                continue
            if reported.get('admin') in ('up', 'down'):
                want.fields['enabled'] = reported['admin'] == 'up'
            # A switch neighbour names its NOS port: read back to the API name through that switch's profile.
            peers = neighbour_text([{**n, 'port': port_names.get(n['system'], {}).get(n['port'], n['port'])}
                                    for n in reported.get('neighbours') or ()], ', ')
            live_text = LIVE_START + (reported.get('oper') or 'unknown') + (f'{DESCRIPTION_SEP}LLDP {peers}'
                                                                            if peers else '')
            want.fields['description'] = _description(base, live_text)


def live_view(live):
    """What the projection reads of the live state `live` ({switch: SwitchLiveState field values}): each switch's
    serial number and NOS version, and of each port it reports its admin and operational state and LLDP
    neighbours. Whether the projection must be planned again after a change of the live state is decided on this
    view alone (see digest.py)."""
    view = {}
    for name, state in (live or {}).items():
        state = _mapping(state)
        view[name] = {
            'serial': state.get('serial'),
            'nos_version': state.get('nos_version'),
            'interfaces': {port: {'admin': iface.get('admin'), 'oper': iface.get('oper'),
                                  'neighbours': iface.get('neighbours')}
                           for port, iface in _mapping(state.get('interfaces')).items() if _mapping(iface)},
        }
    return view


def project(objects, site_id, tenant_id, site_type_id, interface_type_id, live=None):
    """The Projection of a fabric's objects ({kind: {name: spec}}) at a site (ids of the site, the tenant (or None)
    and the content types of sites and interfaces), with the live state `live` its switches' agents report."""
    builder = _Builder(objects, site_id, tenant_id, site_type_id, interface_type_id)
    builder.switch_profiles()
    builder.switches()
    builder.servers()
    builder.gateways()
    builder.connections()
    builder.vlan_namespaces()
    builder.ipv4_namespaces()
    builder.vpcs()
    builder.attachments()
    builder.live_state(live_view(live))
    return builder.p
