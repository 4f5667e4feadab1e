"""The fabric drawn by the plugin itself: an SVG document, no external service.

Tiers from top to bottom: externals and gateways, spines, leaves (redundancy pairs side by side), servers. Switches
are filled by health; a link is one line per connection between two devices, drawn by connection type (solid
fabric/mesh links, dashed MCLAG/ESLAG peer links, thin server links, dotted external and gateway links) and coloured
by its worst LLDP cabling check; a drifted connection is drawn with a drift mark (a double dash). Every node and link
is a hyperlink to its page. When a fabric has more servers than `SERVER_LIMIT`, servers are drawn one box per leaf
set ("12 servers" on leaf-01 + leaf-02), linking to the connections of those leaves.

Large fabrics stay readable: a row holds at most `COLUMNS` boxes (the canvas is at most that wide, whatever the
fabric), longer tiers wrap, leaves wrap without splitting a redundancy group, and each row of leaves has its servers
in the row(s) right under it, each box as near above its leaves as the row allows. Boxes never overlap and labels are
cut to fit their box (the full name is the box's tooltip).
"""
from collections import Counter, defaultdict
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from django.db.models import Prefetch
from django.urls import reverse

from netbox_hedgehog.choices import CablingChoices, DriftStatusChoices, SwitchHealthChoices
from netbox_hedgehog.models import Connection, ExternalAttachment, Gateway, LinkCheck, Server, Switch

from .health import health, live_state_of
from .summary import port_key

__all__ = (
    'SERVER_LIMIT',
    'draw',
)

# More servers than this (in the drawing) are grouped per leaf set.
SERVER_LIMIT = 64
NODE_W, NODE_H, GAP = 96, 28, 14
# Boxes per row at most, and the vertical distance from a row to the next: within a wrapped tier, from one tier to
# the next, and from a row of leaves to its servers.
COLUMNS = 16
ROW_STEP, TIER_STEP, SERVER_STEP = 48, 120, 160
LABEL_MAX = 14
# With more links than this, links between switches that show no problem (verified, unknown, external) are drawn
# faint so that the nodes, the links with a problem or drift, and the short server links stand out (a link shows
# fully when pointed at).
QUIET_LINKS = 300
QUIET = (CablingChoices.VERIFIED, CablingChoices.UNKNOWN, CablingChoices.EXTERNAL)
MARGIN = 20
MIN_SCALE = 0.8

HEALTH_FILL = {
    SwitchHealthChoices.HEALTHY: '#2fb344', SwitchHealthChoices.APPLYING: '#4263eb',
    SwitchHealthChoices.STALE: '#f76707', SwitchHealthChoices.NO_AGENT: '#868e96',
}
CABLING_STROKE = {
    CablingChoices.MISMATCH: '#d63939', CablingChoices.NO_NEIGHBOUR: '#f76707', CablingChoices.UNKNOWN: '#adb5bd',
    CablingChoices.EXTERNAL: '#17a2b8', CablingChoices.VERIFIED: '#2fb344',
}
# Worst first: a link takes the colour of its worst check.
SEVERITY = (CablingChoices.MISMATCH, CablingChoices.NO_NEIGHBOUR, CablingChoices.UNKNOWN, CablingChoices.EXTERNAL,
            CablingChoices.VERIFIED)
TYPE_DASH = {'mclag': '6 3', 'eslag': '6 3', 'mclagDomain': '6 3', 'external': '2 3', 'staticExternal': '2 3',
             'gateway': '2 3'}
TYPE_WIDTH = {'fabric': 2.5, 'mesh': 2.5, 'mclagDomain': 2}


def _worst(statuses):
    return next((s for s in SEVERITY if s in statuses), CablingChoices.UNKNOWN)


class _Node:
    def __init__(self, key, label, tier, url, fill='#f1f3f5', text='#1d273b', title=''):
        self.key, self.label, self.tier, self.url = key, label, tier, url
        self.fill, self.text, self.title = fill, text, title or label
        self.x = self.y = 0


def _leaf_order(leaves):
    """Leaves sorted by redundancy group then name, so that pairs sit side by side."""
    return sorted(leaves, key=lambda s: (s.redundancy_group or '~' + s.name, port_key(s.name)))


def _rows(nodes, group_of=None):
    """`nodes` cut into rows of at most COLUMNS, consecutive nodes of one group (`group_of`) kept in one row."""
    groups = []
    for node in nodes:
        if groups and group_of is not None and group_of(groups[-1][-1]) == group_of(node):
            groups[-1].append(node)
        else:
            groups.append([node])
    rows = [[]]
    for group in groups:
        if rows[-1] and len(rows[-1]) + len(group) > COLUMNS:
            rows.append([])
        rows[-1].extend(group)
    return [row for row in rows if row]


def _place(row, y, width, wanted=None):
    """Place one row of nodes at height `y` within `width`: spread evenly, or (with `wanted`: node -> x) each as
    near its wanted x as the others allow, none overlapping."""
    step = max(NODE_W + GAP, width / len(row))
    for i, node in enumerate(row):
        node.x, node.y = MARGIN + step * i + (step - NODE_W) / 2, y
    if wanted is None:
        return
    row.sort(key=wanted)
    x = MARGIN
    for node in row:
        node.x = x = max(x, wanted(node))
        x += NODE_W + GAP
    x = MARGIN + width - NODE_W
    for node in reversed(row):
        node.x = x = min(x, node.x)
        x -= NODE_W + GAP


def _collect(fabric, focus):
    connections = list(Connection.objects.filter(fabric=fabric).prefetch_related(
        Prefetch('link_checks', LinkCheck.objects.only('connection_id', 'status'))).only(
        'pk', 'name', 'connection_type', 'switches', 'servers', 'gateways', 'drift_status'))
    if focus is not None:
        connections = [c for c in connections if focus.name in c.switches]
    switches = list(Switch.objects.filter(fabric=fabric).select_related('live_state'))
    servers = {s.name: s for s in Server.objects.filter(fabric=fabric).only('pk', 'name')}
    gateways = {g.name: g for g in Gateway.objects.filter(fabric=fabric).only('pk', 'name')}
    externals = defaultdict(set)
    for external, connection_name in ExternalAttachment.objects.filter(fabric=fabric).values_list(
            'external', 'connection'):
        externals[connection_name].add(external)
    return connections, switches, servers, gateways, externals


def _list_url(model, **filters):
    return f'{reverse(f"plugins:netbox_hedgehog:{model}_list")}?{urlencode(filters, doseq=True)}'


def draw(fabric, focus=None):
    """The SVG text of `fabric` (or, with `focus` a Switch, of that switch's neighbourhood)."""
    connections, switches, servers, gateways, externals = _collect(fabric, focus)
    if focus is not None:
        near = {name for c in connections for name in c.switches} | {focus.name}
        switches = [s for s in switches if s.name in near]
    nodes = {}
    for switch in switches:
        value, reason = health(live_state_of(switch))
        tier = 'spine' if switch.role == 'spine' else 'leaf'
        nodes['switch', switch.name] = _Node(('switch', switch.name), switch.name, tier, switch.get_absolute_url(),
                                             HEALTH_FILL[value], '#ffffff', f'{switch.name}: {reason}')
    server_sets = {}
    for c in connections:
        leaves = tuple(sorted(n for n in c.switches if ('switch', n) in nodes))
        for name in c.servers:
            server_sets.setdefault(name, set()).update(leaves)
    grouped = len(server_sets) > SERVER_LIMIT
    server_node = {}
    if grouped:
        members = defaultdict(list)
        for name, leaves in server_sets.items():
            members[tuple(sorted(leaves))].append(name)
        for leaves, names in members.items():
            key = ('servers', leaves)
            count = f'{len(names)} server{"" if len(names) == 1 else "s"}'
            nodes[key] = _Node(key, count, 'server', _list_url('connection', switch=list(leaves)),
                               title=f'{count} on {" + ".join(leaves)}')
            for name in names:
                server_node[name] = key
    else:
        for name in server_sets:
            key = ('server', name)
            url = servers[name].get_absolute_url() if name in servers else ''
            nodes[key] = _Node(key, name, 'server', url)
            server_node[name] = key
    for c in connections:
        for name in c.gateways:
            url = gateways[name].get_absolute_url() if name in gateways else ''
            nodes.setdefault(('gateway', name), _Node(('gateway', name), name, 'top', url, '#e7f5ff'))
        for name in externals.get(c.name, ()):
            nodes.setdefault(('external', name), _Node(('external', name), name, 'top',
                                                       _list_url('external', name=name), '#fff4e6'))

    # Links: one per (connection, pair of drawn nodes); grouped server links merge per (leaf, group).
    links = {}
    for c in connections:
        statuses = {check.status for check in c.link_checks.all()}
        ends = [('switch', n) for n in c.switches if ('switch', n) in nodes]
        peers = [server_node[n] for n in c.servers if n in server_node]
        peers += [('gateway', n) for n in c.gateways]
        peers += [('external', n) for n in externals.get(c.name, ())]
        pairs = [(a, b) for i, a in enumerate(ends) for b in ends[i + 1:]] if not peers else \
            [(a, b) for a in ends for b in peers]
        for a, b in pairs:
            link = links.setdefault((a, b), {'connections': [], 'statuses': set(), 'drift': False,
                                             'type': c.connection_type})
            link['connections'].append(c)
            link['statuses'] |= statuses
            link['drift'] |= c.drift_status in DriftStatusChoices.DRIFTED

    tiers = defaultdict(list)
    for node in nodes.values():
        tiers[node.tier].append(node)
    leaves = _leaf_order(s for s in switches if s.role != 'spine')
    groups = {s.name: s.redundancy_group or s.name for s in leaves}
    tiers['spine'].sort(key=lambda n: port_key(n.label))
    tiers['top'].sort(key=lambda n: (n.key[0], port_key(n.label)))
    rows = {tier: _rows(tiers[tier]) for tier in ('top', 'spine')}
    rows['leaf'] = _rows([nodes['switch', s.name] for s in leaves], lambda n: groups[n.label])
    columns = max((len(row) for tier_rows in rows.values() for row in tier_rows), default=1)
    columns = max(columns, min(COLUMNS, max(len(tiers['server']), 1)))
    width = max(columns * (NODE_W + GAP), _legend_width())
    # Servers go under the row of their (first) leaf, each as near the middle of its leaves as the row allows.
    leaf_row = {node.key: i for i, row in enumerate(rows['leaf']) for node in row}

    def leaves_of(node):
        names = node.key[1] if node.key[0] == 'servers' else sorted(server_sets[node.label])
        return [nodes['switch', n] for n in names if ('switch', n) in nodes]

    server_rows = defaultdict(list)
    for node in tiers['server']:
        server_rows[min((leaf_row[leaf.key] for leaf in leaves_of(node)), default=len(rows['leaf']))].append(node)
    y = MARGIN + 10
    for tier in ('top', 'spine'):
        for row in rows[tier]:
            _place(row, y, width)
            y += ROW_STEP
        y += (TIER_STEP - ROW_STEP) if rows[tier] else 0
    for i in range(len(rows['leaf']) + 1):
        if i < len(rows['leaf']):
            _place(rows['leaf'][i], y, width)
            y += SERVER_STEP if server_rows.get(i) else TIER_STEP
        for row in _rows(sorted(server_rows.get(i, []), key=lambda n: (_middle(leaves_of(n)), port_key(n.label)))):
            _place(row, y, width, lambda n: _middle(leaves_of(n)))
            y += ROW_STEP
        y += (TIER_STEP - ROW_STEP) if server_rows.get(i) else 0
    height = y + 10
    return _svg(nodes, links, width + 2 * MARGIN, height, fabric)


def _middle(nodes):
    """The x of a box centred on `nodes` (the mean of theirs)."""
    return sum(n.x for n in nodes) / len(nodes) if nodes else MARGIN


def _link_svg(a, b, link, quiet):
    x1, y1 = a.x + NODE_W / 2, a.y + NODE_H
    x2, y2 = b.x + NODE_W / 2, b.y
    if a.y > b.y:
        x1, y1, x2, y2 = a.x + NODE_W / 2, a.y, b.x + NODE_W / 2, b.y + NODE_H
    if a.y == b.y:
        y1 = y2 = a.y + NODE_H / 2
        x1, x2 = (a.x + NODE_W, b.x) if a.x < b.x else (a.x, b.x + NODE_W)
    worst = _worst(link['statuses'])
    names = ', '.join(c.name for c in link['connections'])
    checks = Counter()
    for c in link['connections']:
        checks.update(check.status for check in c.link_checks.all())
    detail = ', '.join(f'{n} {dict(CablingChoices)[s].lower()}' for s, n in sorted(checks.items()))
    title = f'{names} ({link["type"]}): {detail or "not checked"}' + ('; drifted from Git' if link['drift'] else '')
    url = link['connections'][0].get_absolute_url() if len(link['connections']) == 1 else \
        _list_url('connection', name=[c.name for c in link['connections']])
    dash = TYPE_DASH.get(link['type'])
    style = (f'stroke="{CABLING_STROKE[worst]}" stroke-width="{TYPE_WIDTH.get(link["type"], 1.5)}"'
             + (f' stroke-dasharray="{dash}"' if dash else '')
             + (' class="hh-quiet"' if quiet and worst in QUIET and not link['drift'] else ''))
    parts = [f'<a href={quoteattr(url)} class="hh-link" data-cabling="{worst}"><title>{escape(title)}</title>',
             f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" {style}/>']
    if link['drift']:
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        parts.append(f'<text x="{mx:.0f}" y="{my:.0f}" class="hh-drift" text-anchor="middle">≠</text>')
    parts.append('</a>')
    return ''.join(parts)


def _node_svg(node):
    label = node.label if len(node.label) <= LABEL_MAX else node.label[:LABEL_MAX - 1] + '…'
    open_tag = f'<a href={quoteattr(node.url)} class="hh-node">' if node.url else '<g class="hh-node">'
    return (f'{open_tag}<title>{escape(node.title)}</title>'
            f'<rect x="{node.x:.0f}" y="{node.y}" width="{NODE_W}" height="{NODE_H}" rx="5" fill="{node.fill}" '
            f'stroke="#495057" stroke-width="0.6"/>'
            f'<text x="{node.x + NODE_W / 2:.0f}" y="{node.y + NODE_H / 2 + 4:.0f}" text-anchor="middle" '
            f'fill="{node.text}">{escape(label)}</text>' + ('</a>' if node.url else '</g>'))


def _legend_items():
    items = [(HEALTH_FILL[v], str(label)) for v, label, _c in SwitchHealthChoices.CHOICES]
    items += [(CABLING_STROKE[v], f'link: {str(label).lower()}') for v, label, _c in CablingChoices.CHOICES
              if v in CABLING_STROKE]
    return items


def _legend_width():
    return sum(30 + 7 * len(label) for _colour, label in _legend_items())


def _legend(y):
    parts, x = [], MARGIN
    for colour, label in _legend_items():
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 10}">{escape(label)}</text>')
        x += 30 + 7 * len(label)
    return ''.join(parts)


def _svg(nodes, links, width, height, fabric):
    quiet = len(links) > QUIET_LINKS
    body = [_link_svg(nodes[a], nodes[b], link, quiet and a[0] == b[0] == 'switch')
            for (a, b), link in sorted(links.items())]
    body += [_node_svg(node) for node in nodes.values()]
    # Fills the panel, shrunk at most to MIN_SCALE of its size (past that the panel scrolls: labels stay readable).
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="hh-fabric-drawing" width="100%" '
            f'style="min-width:{width * MIN_SCALE:.0f}px;height:auto" viewBox="0 0 {width:.0f} {height}" '
            f'font-family="sans-serif" font-size="11" '
            f'role="img" aria-label={quoteattr(f"Drawing of fabric {fabric.name}")}>'
            '<style>.hh-node:hover rect{stroke-width:2}.hh-link:hover line{stroke-width:4;opacity:1}'
            '.hh-quiet{opacity:.12}'
            '.hh-drift{font-size:14px;fill:#ae3ec9}</style>'
            + ''.join(body) + _legend(height - 24) + '</svg>')
