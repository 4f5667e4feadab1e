"""The LLDP cabling check (README: "Cabling check"), by the rules of upstream's `kubectl fabric inspect lldp`.

For every link of every Connection (vpcLoopback excepted: both ends are the same switch), each switch end expects
the other end (device and port) as its LLDP neighbour. Between switches (fabric, mesh, MCLAG domain links) the
neighbour reports a NOS port name, read back to the API name through the neighbour's switch profile. External links
are listed with what is seen but not checked: the external router's name is not in the wiring.
"""
from dataclasses import dataclass

from netbox_hedgehog.choices import CablingChoices

__all__ = (
    'LINK_KEYS',
    'PortCheck',
    'check_fabric',
    'connection_links',
    'neighbour_text',
    'nos_to_api',
)

SWITCH_TO_SWITCH = {'fabric', 'mesh', 'mclagDomain'}
EXTERNAL = {'external', 'staticExternal'}
NOT_CHECKED = {'vpcLoopback'}
SINGLE_LINK = {'unbundled', 'external', 'staticExternal'}
LINK_LISTS = ('links', 'peerLinks', 'sessionLinks')
# What connection_links reads of the body of a Connection's spec (under its one key, the connection type).
LINK_KEYS = ('link', *LINK_LISTS)
MANAGEMENT_PORT_PREFIX = 'M'


@dataclass(frozen=True)
class PortCheck:
    connection: str     # the Connection's name ('' for an unplanned neighbour)
    switch: str
    port: str
    expected: str
    seen: str
    oper: str
    status: str


def connection_links(spec):
    """(connection type, [[(device, port), ...] per link]) of a Connection's spec."""
    if not isinstance(spec, dict) or len(spec) != 1:
        return '', []
    ctype, body = next(iter(spec.items()))
    if not isinstance(body, dict):
        return ctype, []
    raw = [body.get('link')] if ctype in SINGLE_LINK else [
        link for key in LINK_LISTS for link in (body.get(key) or [])
    ]
    links = []
    for link in raw:
        if not isinstance(link, dict):
            continue
        ends = []
        for end in link.values():
            port = end.get('port') if isinstance(end, dict) else None
            if isinstance(port, str) and '/' in port:
                ends.append(tuple(port.split('/', 1)))
        links.append(ends)
    return ctype, links


def nos_to_api(profile_spec):
    """{NOS port name: API port name} from a SwitchProfile's spec.ports."""
    ports = profile_spec.get('ports') if isinstance(profile_spec, dict) else None
    if not isinstance(ports, dict):
        return {}
    return {port['nos']: name for name, port in ports.items() if isinstance(port, dict) and port.get('nos')}


def neighbour_text(neighbours, separator='; '):
    """'system/port' of each LLDP neighbour ('?' for what the neighbour does not send)."""
    return separator.join(f'{n["system"] or "?"}/{n["port"] or "?"}' for n in neighbours)


def _seen_text(neighbours):
    return neighbour_text(neighbours)[:1000]


def _check(ctype, own_port, peer, interfaces, port_names):
    """(status, seen, oper) of the switch port `own_port` expecting `peer` = (device, port); `interfaces` is the
    switch's reported interfaces (None without live state); `port_names` maps the peer's NOS port names to API
    names."""
    if interfaces is None:
        return CablingChoices.UNKNOWN, '', ''
    iface = interfaces.get(own_port)
    if iface is None:
        return CablingChoices.UNKNOWN, '', ''
    neighbours = iface.get('neighbours') or []
    oper = iface.get('oper') or ''
    if ctype in SWITCH_TO_SWITCH:
        neighbours = [{**n, 'port': port_names.get(n['port'], n['port'])} for n in neighbours]
    seen = _seen_text(neighbours)
    if not neighbours:
        return CablingChoices.NO_NEIGHBOUR, seen, oper
    if ctype in EXTERNAL:
        return CablingChoices.EXTERNAL, seen, oper
    device, port = peer
    if any(n['system'] == device and n['port'] == port for n in neighbours):
        return CablingChoices.VERIFIED, seen, oper
    return CablingChoices.MISMATCH, seen, oper


def check_fabric(connections, switch_profiles, profile_specs, interfaces):
    """Every PortCheck of a fabric.

    `connections`: (name, spec) pairs (iterated once); `switch_profiles`: {switch name: profile name} of the
    fabric's switches; `profile_specs`: {profile name: spec}; `interfaces`: {switch name: reported interfaces} of
    switches with live state.
    """
    port_maps = {name: nos_to_api(profile_specs.get(profile)) for name, profile in switch_profiles.items()}
    checks, planned = [], set()
    for name, spec in connections:
        ctype, links = connection_links(spec)
        if ctype in NOT_CHECKED:
            continue
        for ends in links:
            for i, (device, port) in enumerate(ends):
                if device not in switch_profiles or (device, port) in planned:
                    continue
                peers = ends[:i] + ends[i + 1:]
                peer = peers[0] if peers else ('', '')
                status, seen, oper = _check(ctype, port, peer, interfaces.get(device), port_maps.get(peer[0], {}))
                expected = '/'.join(peer) if peer[0] else 'external'
                planned.add((device, port))
                checks.append(PortCheck(name, device, port, expected, seen, oper, status))
    for device, ports in interfaces.items():
        for port, iface in ports.items():
            if (device, port) in planned or port.startswith(MANAGEMENT_PORT_PREFIX) or not iface.get('neighbours'):
                continue
            checks.append(PortCheck('', device, port, '', _seen_text(iface['neighbours']), iface.get('oper') or '',
                                    CablingChoices.UNPLANNED))
    return checks
