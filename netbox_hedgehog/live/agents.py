"""Read the switches' Agents (agent.githedgehog.com/v1beta1) and keep, per switch, only what NetBox shows."""
from django.utils.dateparse import parse_datetime

from netbox_hedgehog.kinds import ApiResource
from netbox_hedgehog.sync.errors import ClusterError
from netbox_hedgehog.sync.reader import read_kind, read_log

__all__ = (
    'AGENT',
    'parse_agent',
    'read_agents',
)


# The Agent kind (not a NetBox kind: nothing of it is editable or written back).
AGENT = ApiResource('Agent', 'agent.githedgehog.com', 'v1beta1', 'agents')

# An Agent carries a status per port (counters, transceivers, LLDP): a page of hundreds of them, decoded at once,
# would outweigh a whole kind of the fabric. They are listed in pages of at most this many.
AGENT_PAGE_SIZE = 50


def _text(value, limit=200):
    return value[:limit] if isinstance(value, str) else ''


def _number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _neighbours(entries):
    if not isinstance(entries, list):
        return []
    return [
        {'system': _text(n.get('sysName')), 'port': _text(n.get('portID')), 'description': _text(n.get('sysDescr'))}
        for n in entries if isinstance(n, dict)
    ]


def _interfaces(state):
    transceivers = _mapping(state.get('transceivers'))
    interfaces = {}
    for port, iface in _mapping(state.get('interfaces')).items():
        if not isinstance(iface, dict):
            continue
        transceiver = transceivers.get(port)
        interfaces[str(port)] = {
            'admin': _text(iface.get('admin'), 30),
            'oper': _text(iface.get('oper'), 30),
            'speed': _text(iface.get('speed'), 30),
            'change': _text(iface.get('change'), 40),
            'transceiver': transceiver.get('present') if isinstance(transceiver, dict) else None,
            'neighbours': _neighbours(iface.get('lldpNeighbors')),
        }
    return interfaces


def _bgp_neighbours(state):
    return [
        {'vrf': str(vrf), 'ip': str(ip), 'state': _text(peer.get('state'), 30), 'peer_as': _number(peer.get('peerAS'))}
        for vrf, peers in sorted(_mapping(state.get('bgpNeighbors')).items())
        for ip, peer in sorted(_mapping(peers).items()) if isinstance(peer, dict)
    ]


def _platform_alarms(state):
    platform = _mapping(state.get('platform'))
    alarms = []
    for item in ('fans', 'psus'):
        for name, unit in sorted(_mapping(platform.get(item)).items()):
            if not isinstance(unit, dict):
                continue
            if unit.get('presence') is False:
                alarms.append({'item': item[:-1], 'name': str(name), 'problem': 'not present'})
            elif unit.get('status') is False:
                alarms.append({'item': item[:-1], 'name': str(name), 'problem': 'status not OK'})
    for name, sensor in sorted(_mapping(platform.get('temps')).items()):
        if isinstance(sensor, dict) and sensor.get('alarms'):
            alarms.append({'item': 'temperature', 'name': str(name), 'problem': _text(str(sensor['alarms']))})
    return alarms


def parse_agent(item):
    """(switch name, the SwitchLiveState field values) of one listed Agent; malformed parts are left empty."""
    if not isinstance(item, dict):
        return None, {}
    metadata = _mapping(item.get('metadata'))
    status = _mapping(item.get('status'))
    state = _mapping(status.get('state'))
    nos = _mapping(state.get('nos'))
    conditions = status.get('conditions') if isinstance(status.get('conditions'), list) else []
    applied = next((c for c in conditions if isinstance(c, dict) and c.get('type') == 'Applied'), {})
    heartbeat = status.get('lastHeartbeat')
    try:
        heartbeat = parse_datetime(heartbeat) if isinstance(heartbeat, str) else None
    except ValueError:
        heartbeat = None
    return metadata.get('name'), {
        'heartbeat': heartbeat,
        'agent_version': _text(status.get('version'), 100),
        'boot_id': _text(status.get('bootID'), 100),
        'run_id': _text(status.get('runID'), 100),
        'generation': _number(metadata.get('generation')),
        'applied_generation': _number(status.get('lastAppliedGen')),
        'applied_reason': _text(applied.get('reason'), 100),
        'applied_message': _text(applied.get('message'), 500),
        'reboot_required': status.get('rebootRequired') is True,
        'nos_version': _text(nos.get('softwareVersion')),
        'platform': _text(nos.get('platformName')),
        'hwsku': _text(nos.get('hwskuVersion')),
        'manufacturer': _text(nos.get('mfgName')),
        'serial': _text(nos.get('serialNumber')),
        'interfaces': _interfaces(state),
        'bgp_neighbors': _bgp_neighbours(state),
        'platform_alarms': _platform_alarms(state),
    }


def read_agents(api, server, namespace, page_size, timeout, log):
    """{switch name: SwitchLiveState field values} of every Agent, paged like any kind. A missing CRD or a refused
    read is no error of the sync: the run log says why, and the result is empty (the fabric shows no live state)."""
    try:
        read = read_kind(api, server, namespace, AGENT, min(page_size, AGENT_PAGE_SIZE), timeout, log,
                         keep=parse_agent)
    except ClusterError as e:
        log(f'Agent: no live state ({e})')
        return {}
    if read.missing:
        log('Agent: CRD not installed, no live state')
        return {}
    log(read_log(read))
    return {name: fields for name, fields in read.items if isinstance(name, str)}
