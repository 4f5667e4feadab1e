"""The Agents of a generated fabric: one per switch, as a healthy switch reports itself (issue 16, item 7).

Every port of the switch's profile (breakout lanes where the switch breaks a port out) is an interface; the ports a
Connection names are up and see their peer over LLDP (a switch peer by its NOS port name, as the cabling check
expects), the others are down with no neighbour. Each switch runs the latest configuration and has a BGP session per
fabric link. `heartbeat_patches()` moves every heartbeat, which is all a live-state-only re-sync has to write.
"""
from datetime import UTC, datetime

from netbox_hedgehog.live.agents import AGENT
from netbox_hedgehog.live.cabling import connection_links

__all__ = (
    'agents',
    'heartbeat',
    'heartbeat_patches',
)

AGENT_VERSION = 'v0.96.2'
NOS_VERSION = '4.5.0-Enterprise_Base'
TIME_FORMAT = '%Y-%m-%dT%H:%M:%SZ'
PORT_CHANGED = '2026-08-01T08:00:00Z'
EXTERNAL_ROUTER, EXTERNAL_PORT = 'edge-router', 'xe-0/0/1'


def heartbeat(moment=None):
    """An Agent's heartbeat timestamp for `moment` (default: now)."""
    return (moment or datetime.now(UTC)).strftime(TIME_FORMAT)


def _switch_ports(spec, profile):
    """The interface names of a switch: its profile's ports, each broken out into lanes where the switch says so."""
    breakouts = spec.get('portBreakouts') or {}
    ports = []
    for name in profile.get('ports') or {}:
        mode = breakouts.get(name)
        lanes = int(mode.split('x', 1)[0]) if mode else 1
        ports += [f'{name}/{lane}' for lane in range(1, lanes + 1)] if lanes > 1 else [name]
    return ports


def _peers(objects, nos_names):
    """{(switch, port): (peer device, peer port as its LLDP reports it)} of every link of every Connection."""
    peers = {}
    for obj in objects:
        if obj['kind'] != 'Connection':
            continue
        _ctype, links = connection_links(obj['spec'])
        for ends in links:
            if len(ends) == 1:
                # An external link names the switch port only: the router across it answers LLDP.
                peers[ends[0]] = (EXTERNAL_ROUTER, EXTERNAL_PORT)
            for i, (device, port) in enumerate(ends):
                for peer_device, peer_port in ends[:i] + ends[i + 1:]:
                    peers[(device, port)] = (peer_device, nos_names.get(peer_device, {}).get(peer_port, peer_port))
    return peers


def agents(objects, beat=None):
    """One Agent manifest per Switch of `objects` (generated manifests), heartbeat `beat` (default: now)."""
    profiles = {o['metadata']['name']: o['spec'] for o in objects if o['kind'] == 'SwitchProfile'}
    switches = {o['metadata']['name']: o['spec'] for o in objects if o['kind'] == 'Switch'}
    nos_names = {
        name: {port: entry['nos'] for port, entry in (profiles.get(spec.get('profile')) or {}).get('ports', {}).items()
               if entry.get('nos')}
        for name, spec in switches.items()
    }
    peers = _peers(objects, nos_names)
    beat = beat or heartbeat()
    result = []
    for index, (name, spec) in enumerate(sorted(switches.items())):
        profile = profiles.get(spec.get('profile')) or {}
        interfaces = {}
        bgp = {}
        for port in _switch_ports(spec, profile):
            peer = peers.get((name, port))
            interfaces[port] = {
                'enabled': True, 'admin': 'up', 'oper': 'up' if peer else 'down', 'speed': '25G' if port.count('/') > 1
                else '100G', 'change': PORT_CHANGED,
                'lldpNeighbors': [{'sysName': peer[0], 'portID': peer[1], 'sysDescr': 'Hedgehog bench peer'}]
                if peer else [],
            }
            if peer and peer[0] in switches:
                bgp[f'fd00::{index:x}:{len(bgp) + 1:x}'] = {
                    'state': 'established', 'peerAS': switches[peer[0]].get('asn')}
        result.append({
            'apiVersion': AGENT.api_version, 'kind': AGENT.kind,
            'metadata': {'name': name, 'namespace': 'default', 'generation': 1},
            'status': {
                'version': AGENT_VERSION, 'runID': f'{name}-run-1', 'bootID': f'{name}-boot-1', 'lastHeartbeat': beat,
                'lastAttemptGen': 1, 'lastAppliedGen': 1,
                'conditions': [{'type': 'Applied', 'status': 'True', 'reason': 'ApplySucceeded',
                                'message': 'Config applied, gen=1'}],
                'state': {
                    'nos': {'softwareVersion': NOS_VERSION, 'platformName': profile.get('platform', ''),
                            'hwskuVersion': profile.get('displayName', ''), 'mfgName': 'Bench',
                            'serialNumber': f'BENCH{index:06d}'},
                    'interfaces': interfaces,
                    'bgpNeighbors': {'default': bgp},
                    'platform': {'fans': {'fan-1': {'presence': True, 'status': True}},
                                 'psus': {'psu-1': {'presence': True, 'status': True}}},
                },
            },
        })
    return result


def heartbeat_patches(names, beat):
    """Merge patches moving the heartbeat of the Agents `names` to `beat`: [(kind, name, patch)]."""
    return [(AGENT.kind, name, {'status': {'lastHeartbeat': beat}}) for name in names]
