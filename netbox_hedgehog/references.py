"""References between the objects of a fabric.

`refresh_dangling()` keeps every object's `dangling_references` exact: the references (the kind registry's reference
columns) that name no object of the fabric, as "<Kind> <name> does not exist" (references to a kind only the fabric
controller creates count once the fabric holds any object of it, as for validation.World). A Connection is also marked
for each switch port it names that the switch's profile does not offer with the switch's breakouts, as "Port
leaf-01/E1/99 is not a port of SwitchProfile celestica-ds3000" (the admission rule's notion of a port:
validation.wiring `api_ports`; nothing is marked for a switch whose profile the fabric does not hold). It is
set-based: one UPDATE per kind that has references, whatever the number of objects, one more for the fabric's count,
and for connections up to three reads (the profiles, the switches of those profiles and the connections naming them)
whose rows are judged in one pass. The sync runs it after writing, for the rows its writes can have changed the marks
of (`Only`: the switches judged are then only those the connections concerned name); saving or deleting an object
runs it for the kinds that can name that object, once per transaction (signal_receivers).

`FabricWorld` is the fabric's objects as the admission rules that span objects see them (validation.World): each
kind's specs are loaded with one query the first time a rule asks for that kind.
"""
from typing import NamedTuple

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Q

from netbox_hedgehog.kinds import KIND_BY_MODEL, KIND_BY_NAME, KINDS
from netbox_hedgehog.validation import World
from netbox_hedgehog.validation.wiring import DEPRECATED_CONNECTION_TYPES, api_ports, ports_not_offered

__all__ = (
    'FabricWorld',
    'Only',
    'dangling_message',
    'port_marks',
    'port_message',
    'referring_kinds',
    'refresh_dangling',
)


def dangling_message(kind, name):
    """How a reference naming no object is shown ("Connection server-03--unbundled--leaf-01 does not exist")."""
    return f'{kind} {name} does not exist'


def port_message(port, profile):
    """How a switch port its profile does not offer is shown."""
    return f'Port {port} is not a port of SwitchProfile {profile}'


# The kind naming switch ports, judged against the profiles of its switches: a profile's change changes its marks.
PORT_KIND = 'Connection'


def referring_kinds(kind_spec):
    """The kinds whose marks can change when an object of `kind_spec` appears, is renamed, changes or goes: itself
    (when it has references), every kind with a reference column naming it, and connections for a switch profile."""
    return [k for k in KINDS if k is kind_spec and k.references or kind_spec.model_name in k.references.values()
            or k.kind == PORT_KIND and kind_spec.kind == 'SwitchProfile']


class Only(NamedTuple):
    """The rows of a kind whose marks are recomputed: those with these ids, those whose reference columns hold one of
    `names` ({column: names}) and, for connections, those naming these switches (their ports are judged against the
    switches' profiles and breakouts)."""
    ids: frozenset
    switches: frozenset
    names: dict


def _quote(name):
    return connection.ops.quote_name(name)


def _kind_update(kind_spec, only=None):
    """The UPDATE setting `dangling_references` of one kind's rows of a fabric (or of the rows `only`, an Only),
    writing only rows whose marks change, and its parameters but the fabric's id (`fabric`) and, for connections, the
    port marks (`port_ids`, `port_messages`): the message's text before and after the name per reference column."""
    model = kind_spec.model
    table = _quote(model._meta.db_table)
    parts, params = [], {}
    for index, (column, target_model) in enumerate(kind_spec.references.items()):
        field = model._meta.get_field(column)
        target = KIND_BY_MODEL[target_model]
        source = (f'unnest(s.{_quote(field.column)})' if isinstance(field, ArrayField)
                  else f'(VALUES (s.{_quote(field.column)}))')
        target_table = _quote(target.model._meta.db_table)
        # A kind only the controller creates is unknown (not missing) while the fabric holds none of it: see World.
        known = (f' AND EXISTS (SELECT 1 FROM {target_table} AS k WHERE k.fabric_id = %(fabric)s)'
                 if target.read_only else '')
        # The fabric's names of the target kind are read once and hashed (not looked up per name: a lookup joined
        # by PostgreSQL may scan every object of the fabric per name when the statistics are older than the rows,
        # as just after a sync wrote them).
        parts.append(
            f'SELECT %(before_{index})s || ref.name || %(after_{index})s AS message FROM {source} AS ref(name) '
            f"WHERE ref.name <> '' AND ref.name NOT IN (SELECT r.name FROM {target_table} AS r "
            f'WHERE r.fabric_id = %(fabric)s){known}'
        )
        params[f'before_{index}'], params[f'after_{index}'] = dangling_message(target.kind, '\0').split('\0')
    if kind_spec.kind == PORT_KIND:
        # The ports judged in Python (see port_marks).
        parts.append('SELECT p.message FROM unnest(%(port_ids)s::bigint[], %(port_messages)s::text[]) '
                     'AS p(id, message) WHERE p.id = s.id')
    rows = ''
    if only is not None:
        rows = ' AND (s.id = ANY(%(only_ids)s::bigint[])'
        params['only_ids'] = sorted(only.ids)
        if kind_spec.kind == PORT_KIND:
            rows += ' OR s.switches && %(only_switches)s::varchar[]'
            params['only_switches'] = sorted(only.switches)
        for index, (column, names) in enumerate(sorted(only.names.items())):
            field = model._meta.get_field(column)
            test = '&&' if isinstance(field, ArrayField) else '= ANY'
            rows += f' OR s.{_quote(field.column)} {test}(%(only_names_{index})s::varchar[])'
            params[f'only_names_{index}'] = sorted(names)
        rows += ')'
    sql = (
        f'UPDATE {table} AS t SET dangling_references = c.refs '
        f'FROM (SELECT s.id, ARRAY(SELECT DISTINCT m.message FROM ({" UNION ALL ".join(parts)}) AS m '
        f'ORDER BY m.message) AS refs FROM {table} AS s WHERE s.fabric_id = %(fabric)s{rows}) AS c '
        f'WHERE t.id = c.id AND t.dangling_references IS DISTINCT FROM c.refs'
    )
    return sql, params


def _only_rows(model, only):
    """The Q of the rows of `model` (connections) that _kind_update recomputes for `only`."""
    rows = Q(pk__in=sorted(only.ids)) | Q(switches__overlap=sorted(only.switches))
    for column, names in only.names.items():
        array = isinstance(model._meta.get_field(column), ArrayField)
        rows |= Q(**{f'{column}__overlap' if array else f'{column}__in': sorted(names)})
    return rows


def port_marks(fabric_id, only=None):
    """([connection id], [message]) of the switch ports the fabric's connections (or the connections `only`, an Only)
    name that the switch's profile does not offer with the switch's breakouts (the admission rule's `api_ports`). Only
    switches whose profile the fabric holds are judged: with `only`, those the connections name. At most three
    queries, reading the connections' typed columns (not their specs)."""
    models = {name: KIND_BY_NAME[name].model for name in ('SwitchProfile', 'Switch', PORT_KIND)}
    profiles = dict(models['SwitchProfile'].objects.filter(fabric_id=fabric_id).values_list('name', 'spec'))
    if not profiles:
        return [], []
    # The typed columns hold what the rule reads of each link: its switches and "<device>/<port>" names (a
    # deprecated MCLAG connection names none for the rule).
    connections = models[PORT_KIND].objects.filter(fabric_id=fabric_id).exclude(
        connection_type__in=DEPRECATED_CONNECTION_TYPES).values_list('pk', 'switches', 'ports')
    judged = models['Switch'].objects.filter(fabric_id=fabric_id, profile__in=list(profiles))
    if only is not None:
        connections = list(connections.filter(_only_rows(models[PORT_KIND], only)))
        judged = judged.filter(name__in=sorted({name for _pk, names, _ports in connections for name in names}))
    switches = {name: (profile, spec) for name, profile, spec in judged.values_list('name', 'profile', 'spec')}
    if not switches:
        return [], []
    if only is None:
        connections = connections.filter(switches__overlap=list(switches))
    offered, unmapped = {}, {}
    for name, (profile, spec) in switches.items():
        try:
            offered[name] = api_ports(profiles[profile] or {}, spec or {})
        except ValueError as e:
            # The switch's breakouts are ones its profile does not have: none of its ports can be named.
            unmapped[name] = f'Ports of switch {name} cannot be judged against SwitchProfile {profile}: {e}'
    ids, messages = [], []
    for pk, names, ports in connections:
        ports = [(None, port) for port in ports]
        for switch in names:
            if switch in unmapped:
                found = [unmapped[switch]]
            elif switch in offered:
                found = [port_message(port, switches[switch][0])
                         for _path, port in ports_not_offered(switch, offered[switch], ports)]
            else:
                continue
            ids.extend([pk] * len(found))
            messages.extend(found)
    return ids, messages


def _count_update():
    """The UPDATE storing on the fabric how many of its objects have a reference that does not resolve."""
    counts = [
        f'(SELECT count(*) FROM {_quote(k.model._meta.db_table)} WHERE fabric_id = %s '
        f'AND cardinality(dangling_references) > 0)'
        for k in KINDS if k.references
    ]
    fabric_table = _quote(apps.get_model('netbox_hedgehog', 'fabric')._meta.db_table)
    return f'UPDATE {fabric_table} SET dangling_count = {" + ".join(counts)} WHERE id = %s', len(counts)


def refresh_dangling(fabric_id, kinds=None, only=None):
    """Recompute the dangling references of `kinds` (KindSpecs; every kind when None) in one fabric, and the fabric's
    count of objects with any. `only`: {kind: Only} for the kinds of which only some rows are recomputed (the others'
    marks depend on nothing that changed)."""
    kinds = KINDS if kinds is None else kinds
    only = only or {}
    with connection.cursor() as cursor:
        for kind_spec in kinds:
            if kind_spec.references:
                rows = only.get(kind_spec.kind)
                sql, params = _kind_update(kind_spec, rows)
                if kind_spec.kind == PORT_KIND:
                    params['port_ids'], params['port_messages'] = port_marks(fabric_id, rows)
                cursor.execute(sql, {**params, 'fabric': fabric_id})
        sql, count = _count_update()
        cursor.execute(sql, [fabric_id] * count + [fabric_id])


class FabricWorld(World):
    """The objects of one fabric as {kind: {name: spec}}, each kind loaded (one query) when a rule first asks for it.

    `exclude` ((model, pk)) leaves one row out: the object being judged, as stored before the change (under its old
    name it would look like another object)."""

    def __init__(self, fabric_id, exclude=None):
        super().__init__()
        self.fabric_id = fabric_id
        self.exclude = exclude

    def of(self, kind):
        if kind not in self.objects:
            kind_spec = KIND_BY_NAME.get(kind)
            rows = kind_spec.model.objects.filter(fabric_id=self.fabric_id) if kind_spec else None
            if rows is not None and self.exclude is not None and self.exclude[0] is kind_spec.model:
                rows = rows.exclude(pk=self.exclude[1])
            self.objects[kind] = dict(rows.values_list('name', 'spec')) if rows is not None else {}
        return self.objects[kind]
