"""What the pages show of the live state: a switch's port map and a fabric's summary, read in a fixed number of
queries."""
import re
from collections import Counter

from django.db.models import F

from netbox_hedgehog.choices import CablingChoices, SwitchHealthChoices
from netbox_hedgehog.models import LinkCheck, Switch, SwitchLiveState

from .health import health

__all__ = (
    'fabric_summary',
    'port_key',
    'port_map',
)


def port_key(port):
    """Sort key putting E1/2 before E1/10."""
    return [int(part) if part.isdigit() else part for part in re.split(r'(\d+)', port)]


def port_map(switch, live):
    """One row per port the agent reports or a Connection names: the port's state and its cabling check."""
    interfaces = live.interfaces if live else {}
    checks = {c.port: c for c in switch.link_checks.select_related('connection')}
    rows = []
    for port in sorted(set(interfaces) | set(checks), key=port_key):
        iface, check = interfaces.get(port) or {}, checks.get(port)
        rows.append({
            'port': port,
            'admin': iface.get('admin', ''),
            'oper': iface.get('oper', ''),
            'speed': iface.get('speed', ''),
            'change': iface.get('change', ''),
            'transceiver': iface.get('transceiver'),
            'neighbours': iface.get('neighbours') or [],
            'check': check,
        })
    return rows


def fabric_summary(fabric):
    """Health counts, rollout, ports down on connections, BGP sessions not established, platform alarms and the
    cabling counts of a fabric."""
    switches = list(Switch.objects.filter(fabric=fabric).select_related('live_state').only(
        'pk', 'name', 'fabric_id', 'live_state'))
    lives = [getattr(s, 'live_state', None) for s in switches]
    healths = Counter(health(live)[0] for live in lives)
    reported = [live for live in lives if live is not None]
    checks = LinkCheck.objects.filter(fabric=fabric)
    cabling = Counter(checks.values_list('status', flat=True))
    return {
        'switches': len(switches),
        'reported': len(reported),
        'health': [(value, label, color, healths.get(value, 0)) for value, label, color in
                   SwitchHealthChoices.CHOICES],
        'applied': SwitchLiveState.objects.filter(fabric=fabric, applied_generation=F('generation')).count(),
        'ports_down': checks.filter(connection__isnull=False).exclude(oper__in=('up', '')).count(),
        'bgp_down': sum(1 for live in reported for peer in live.bgp_neighbors if peer['state'] != 'established'),
        'alarms': sum(len(live.platform_alarms) for live in reported),
        'cabling': [(value, label, color, cabling.get(value, 0)) for value, label, color in CablingChoices.CHOICES],
        'unplanned': checks.filter(status=CablingChoices.UNPLANNED).select_related('switch'),
    }
