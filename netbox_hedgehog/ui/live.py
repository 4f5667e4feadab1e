"""Detail-page panels of the live state: a switch's agent report and port map, a connection's cabling check and a
fabric's summary."""
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from netbox.ui import panels

from netbox_hedgehog.choices import SwitchHealthChoices
from netbox_hedgehog.live.drawing import draw
from netbox_hedgehog.live.health import health, live_state_of
from netbox_hedgehog.live.summary import fabric_summary, port_map

__all__ = (
    'ConnectionCablingPanel',
    'DrawingPanel',
    'FabricLivePanel',
    'SwitchLivePanel',
    'SwitchPortsPanel',
)


class SwitchLivePanel(panels.ObjectPanel):
    """Health with its reason, and what the agent last reported (as of the last sync)."""
    template_name = 'netbox_hedgehog/panels/switch_live.html'
    title = _('Live state')

    def get_context(self, context):
        ctx = super().get_context(context)
        live = live_state_of(ctx['object'])
        value, reason = health(live)
        return {**ctx, 'live': live, 'health': value, 'health_reason': reason,
                'health_label': dict(SwitchHealthChoices)[value], 'health_color': SwitchHealthChoices.colors[value],
                'bgp_down': [p for p in live.bgp_neighbors if p['state'] != 'established'] if live else []}


class SwitchPortsPanel(panels.ObjectPanel):
    """Every port the agent reports or a Connection names, with its state, LLDP neighbours and cabling check."""
    template_name = 'netbox_hedgehog/panels/switch_ports.html'
    title = _('Ports and cabling')

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, 'rows': port_map(ctx['object'], live_state_of(ctx['object']))}


class ConnectionCablingPanel(panels.ObjectPanel):
    """The LLDP check of each switch port of the connection."""
    template_name = 'netbox_hedgehog/panels/connection_cabling.html'
    title = _('Cabling (LLDP)')

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, 'checks': ctx['object'].link_checks.select_related('switch')}


class FabricLivePanel(panels.ObjectPanel):
    """The fabric as it runs: switches by health, rollout, ports down, BGP, platform alarms, cabling."""
    template_name = 'netbox_hedgehog/panels/fabric_live.html'
    title = _('Live state')

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, 'summary': fabric_summary(ctx['object'])}


class DrawingPanel(panels.ObjectPanel):
    """The fabric drawn as SVG (live/drawing.py): on a fabric the whole fabric, on a switch its neighbourhood."""
    template_name = 'netbox_hedgehog/panels/drawing.html'

    def get_context(self, context):
        ctx = super().get_context(context)
        obj = ctx['object']
        fabric, focus = (obj.fabric, obj) if hasattr(obj, 'fabric_id') else (obj, None)
        # Every text in the drawing is escaped by draw().
        return {**ctx, 'svg': mark_safe(draw(fabric, focus))}
