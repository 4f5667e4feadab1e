"""Write one sync's live state: the SwitchLiveState rows and the cabling checks of a fabric, replaced in bulk.

The statements do not depend on the number of switches, ports or connections: five reads, and for each of the two
tables whose content changed one delete and one bulk insert (nothing is written when nothing changed).
"""
from django.db import connection as db

from netbox_hedgehog.models import Connection, LinkCheck, Switch, SwitchLiveState, SwitchProfile

from .cabling import check_fabric

__all__ = (
    'store',
)

LIVE_FIELDS = tuple(
    f.attname for f in SwitchLiveState._meta.concrete_fields if f.attname not in ('id', 'fabric_id', 'read_at')
)
CHECK_FIELDS = ('connection_id', 'switch_id', 'port', 'expected', 'seen', 'oper', 'status')


def _replace(model, fabric, fields, rows):
    """Replace the fabric's rows of `model` by `rows` (dicts) unless they hold the same `fields` already."""
    def key(row):
        return tuple(row[f] for f in fields)

    existing = sorted(model.objects.filter(fabric=fabric).values_list(*fields), key=repr)
    if existing == sorted((key(row) for row in rows), key=repr):
        return False
    # One statement: these rows have no change log and nothing refers to them.
    with db.cursor() as cursor:
        cursor.execute(f'DELETE FROM {db.ops.quote_name(model._meta.db_table)} WHERE fabric_id = %s', [fabric.pk])
    model.objects.bulk_create([model(fabric_id=fabric.pk, **row) for row in rows])
    return True


def store(fabric, agents, read_at):
    """Replace the fabric's live state with `agents` (what read_agents() returned) and recheck its cabling."""
    switches = {name: (pk, profile) for pk, name, profile in
                Switch.objects.filter(fabric=fabric).values_list('pk', 'name', 'profile')}
    agents = {name: fields for name, fields in agents.items() if name in switches}
    connections = list(Connection.objects.filter(fabric=fabric).values_list('pk', 'name', 'spec'))
    checks = check_fabric(
        [(name, spec) for _pk, name, spec in connections],
        {name: profile for name, (_pk, profile) in switches.items()},
        dict(SwitchProfile.objects.filter(fabric=fabric).values_list('name', 'spec')),
        {name: fields['interfaces'] for name, fields in agents.items()},
    )
    connection_ids = {name: pk for pk, name, _spec in connections}
    live_rows = [{'switch_id': switches[name][0], 'read_at': read_at, **fields} for name, fields in agents.items()]
    _replace(SwitchLiveState, fabric, LIVE_FIELDS, live_rows)
    _replace(LinkCheck, fabric, CHECK_FIELDS, [
        {'connection_id': connection_ids.get(c.connection), 'switch_id': switches[c.switch][0], 'port': c.port[:64],
         'expected': c.expected[:300], 'seen': c.seen, 'oper': c.oper[:30], 'status': c.status}
        for c in checks
    ])
