"""Write one sync's live state: the SwitchLiveState rows and the cabling checks of a fabric, in bulk.

The statements do not depend on the number of switches, ports or connections. Each switch's row carries the digest of
what was read for it: only the rows whose digest differs are rewritten (one DELETE, one COPY, one UPDATE of the read
time). The cabling check is recomputed only when what it is computed from changed (the connections' links, the
switches and their profiles, and the reported port states and LLDP neighbours: a heartbeat or a connection's MTU
alone changes none of it), which the fabric's `live_check_digest` tells (see _store_checks); its rows are then
replaced (one DELETE, one COPY).
"""

from django.db import connection as db
from django.db.models import Max

from netbox_hedgehog.models import Connection, Fabric, LinkCheck, Switch, SwitchLiveState, SwitchProfile
from netbox_hedgehog.sync.bulk import copy_rows, quoted_table
from netbox_hedgehog.utils import value_digest

from .cabling import LINK_KEYS, check_fabric

__all__ = (
    'store',
)

LIVE_FIELDS = tuple(
    f.attname for f in SwitchLiveState._meta.concrete_fields
    if f.attname not in ('id', 'fabric_id', 'switch_id', 'read_at', 'digest')
)
CHECK_FIELDS = ('fabric_id', 'connection_id', 'switch_id', 'port', 'expected', 'seen', 'oper', 'status')
# Connections whose specs are decoded at once by the cabling check.
CONNECTION_CHUNK = 2000


def _cabling_view(interfaces):
    """What the cabling check reads of a switch's reported interfaces."""
    return {port: (iface.get('oper'), iface.get('neighbours')) for port, iface in interfaces.items()}


def _store_live(fabric, switches, agents, read_at):
    """Rewrite the SwitchLiveState rows whose content differs from what was read (and drop those without an Agent);
    when any was rewritten, every row of the fabric takes `read_at`, as when they were all read at once."""
    digests = {switches[name][0]: value_digest(fields) for name, fields in agents.items()}
    stored = dict(SwitchLiveState.objects.filter(fabric=fabric).values_list('switch_id', 'digest'))
    stale = [switch_id for switch_id, digest in stored.items() if digests.get(switch_id) != digest]
    fresh = [name for name in agents if stored.get(switches[name][0]) != digests[switches[name][0]]]
    if not stale and not fresh:
        return
    with db.cursor() as cursor:
        if stale:
            cursor.execute(f'DELETE FROM {quoted_table(SwitchLiveState)} WHERE fabric_id = %s AND switch_id = ANY(%s)',
                           [fabric.pk, stale])
        copy_rows(SwitchLiveState, ('fabric_id', 'switch_id', 'read_at', 'digest', *LIVE_FIELDS), (
            (fabric.pk, switches[name][0], read_at, digests[switches[name][0]],
             *(agents[name][f] for f in LIVE_FIELDS))
            for name in fresh
        ))
        cursor.execute(f'UPDATE {quoted_table(SwitchLiveState)} SET read_at = %s WHERE fabric_id = %s',
                       [read_at, fabric.pk])


# SQL of the text of what the cabling check reads of a Connection's spec: each key (the connection type) with the
# link lists under it (cabling.LINK_KEYS; 'null' where absent). The rest of the spec (an MTU, VLANs, addresses)
# changes no check. A spec that is no object is taken whole.
_LINKS_TEXT = (
    "CASE WHEN jsonb_typeof(spec) = 'object' THEN (SELECT string_agg(concat_ws(chr(31), e.key, "
    + ', '.join(f"coalesce(e.value -> '{key}', 'null')::text" for key in LINK_KEYS)
    + "), chr(30) ORDER BY e.key) FROM jsonb_each(spec) AS e) ELSE spec::text END"
)


def _check_state(fabric, switches, agents):
    """(digest of what the cabling check is computed from, the newest id of the fabric's checks, the digest kept on
    the fabric). One query: what the check reads of the connections (their links) and the profiles' content are
    digested by PostgreSQL, without loading them."""
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT md5(string_agg(concat_ws(' ', id, name, {_LINKS_TEXT}), E'\\n' ORDER BY id)) "
            f"FROM {quoted_table(Connection)} WHERE fabric_id = %s), "
            f"(SELECT md5(string_agg(concat_ws(' ', name, spec::text), E'\\n' ORDER BY name)) "
            f"FROM {quoted_table(SwitchProfile)} WHERE fabric_id = %s), "
            f"(SELECT max(id) FROM {quoted_table(LinkCheck)} WHERE fabric_id = %s), "
            f"(SELECT live_check_digest FROM {quoted_table(Fabric)} WHERE id = %s)",
            [fabric.pk, fabric.pk, fabric.pk, fabric.pk],
        )
        connections, profiles, newest, kept = cursor.fetchone()
    inputs = value_digest([
        connections, profiles, sorted((name, pk, profile) for name, (pk, profile) in switches.items()),
        sorted((name, _cabling_view(fields['interfaces'])) for name, fields in agents.items()),
    ])
    return inputs, newest, kept


def _store_checks(fabric, switches, agents):
    # The kept digest also covers the newest id of the checks written from those inputs (every rewrite takes new
    # ids): a fabric saved from an older copy, which puts an older digest back, never passes for the rows stored.
    inputs, newest, kept = _check_state(fabric, switches, agents)
    if value_digest([inputs, newest]) == kept:
        return
    connection_ids = {}

    def connections():
        # Read with a server-side cursor, a chunk at a time: a large fabric's specs are never all decoded at once.
        for pk, name, spec in (Connection.objects.filter(fabric=fabric).values_list('pk', 'name', 'spec')
                               .iterator(chunk_size=CONNECTION_CHUNK)):
            connection_ids[name] = pk
            yield name, spec

    checks = check_fabric(
        connections(),
        {name: profile for name, (_pk, profile) in switches.items()},
        dict(SwitchProfile.objects.filter(fabric=fabric).values_list('name', 'spec')),
        {name: fields['interfaces'] for name, fields in agents.items()},
    )
    # These rows have no change log and nothing refers to them.
    with db.cursor() as cursor:
        cursor.execute(f'DELETE FROM {quoted_table(LinkCheck)} WHERE fabric_id = %s', [fabric.pk])
    copy_rows(LinkCheck, CHECK_FIELDS, (
        (fabric.pk, connection_ids.get(c.connection), switches[c.switch][0], c.port[:64], c.expected[:300], c.seen,
         c.oper[:30], c.status)
        for c in checks
    ))
    newest = LinkCheck.objects.filter(fabric=fabric).aggregate(newest=Max('id'))['newest']
    Fabric.objects.filter(pk=fabric.pk).update(live_check_digest=value_digest([inputs, newest]))


def store(fabric, agents, read_at):
    """Store the fabric's live state as `agents` (what read_agents() returned) and recheck its cabling if needed."""
    switches = {name: (pk, profile) for pk, name, profile in
                Switch.objects.filter(fabric=fabric).values_list('pk', 'name', 'profile')}
    agents = {name: fields for name, fields in agents.items() if name in switches}
    _store_live(fabric, switches, agents, read_at)
    _store_checks(fabric, switches, agents)
