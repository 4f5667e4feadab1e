"""When a sync may leave the projection alone.

Planning the projection interprets the whole fabric again and compares every managed field of every linked NetBox
object (most of a re-sync's time with an inventory site). Its outcome depends only on
- the inputs: the fabric's Hedgehog objects of the kinds it projects, what it reads of the live state
  (`mapping.live_view`), the fabric's inventory site and tenant, and this plugin's version;
- the NetBox rows it reads: the fabric's InventoryLinks, the columns it reads of every object they name (managed
  fields, natural key, cable, IP assignment: `planner.row_values`), and the tagged-VLAN memberships of the
  projection's VLANs.

After a sync has written a plan that left nothing unresolved (no error, nothing blocked), planning again from the
same inputs and the same rows would change nothing. The sync then keeps a digest of both (computed by PostgreSQL:
the rows are not loaded into Python) with the number of objects per NetBox model, and a later sync whose inputs and
rows digest the same counts those objects unchanged without planning. Anything else (an edit in NetBox of a column
the planner reads, a deleted object, a changed spec, agent report or site) plans in full.

A person's edit committed while the sync planned and wrote could be in the rows digested after the write without the
plan having seen it; so no digest is kept when the change log shows an edit of a linked object, other than by this
fabric's syncs, since shortly before the sync started (RACE_MARGIN).
"""
from datetime import timedelta

from core.models import ObjectChange
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q

from netbox_hedgehog import __version__
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.models import Fabric, InventoryLink, SyncRun
from netbox_hedgehog.sync.bulk import quoted_table
from netbox_hedgehog.utils import value_digest

from .mapping import MODELS, live_view
from .planner import SOURCE_KINDS, link_values, linked_ids, row_values

__all__ = (
    'inputs_digest',
    'remember',
    'unchanged_totals',
)

# How long before a sync's start an edit in NetBox may have begun and still commit while the sync plans (a request
# holds its transaction for at most this long).
RACE_MARGIN = timedelta(minutes=5)


def inputs_digest(fabric, live):
    """The digest of what the projection is planned from, with the Hedgehog objects as stored (one query)."""
    parts = [f"(SELECT md5(string_agg(concat_ws(' ', name, spec::text), E'\\n' ORDER BY name)) "
             f'FROM {quoted_table(KIND_BY_NAME[kind].model)} WHERE fabric_id = %s)' for kind in SOURCE_KINDS]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {", ".join(parts)}', [fabric.pk] * len(parts))
        objects = cursor.fetchone()
    return value_digest([__version__, fabric.inventory_site_id, fabric.inventory_tenant_id, objects, live_view(live)])


def _aggregate(queryset):
    """A scalar subquery digesting the rows of `queryset` (selecting `pk`) in primary key order, and its
    parameters."""
    sql, params = queryset.query.sql_with_params()
    return f"(SELECT md5(string_agg(q::text, E'\\n' ORDER BY q.pk)) FROM ({sql}) AS q)", list(params)


def _rows_digest(fabric, since=None):
    """The digest of the NetBox rows the projection reads (the columns the planner reads, not loaded into Python),
    and with `since`, whether the change log shows an edit of a linked object since then other than by a sync run of
    the fabric (one query)."""
    types = {label: ContentType.objects.get_for_model(apps.get_model(label)).pk for label in MODELS}
    queries = [link_values(fabric)]
    queries += [row_values(label, Q(pk__in=linked_ids(fabric, types[label]))) for label in MODELS]
    tagged = apps.get_model('dcim.interface').tagged_vlans.through
    queries.append(tagged.objects.filter(vlan_id__in=linked_ids(fabric, types['ipam.vlan'])).values(
        'pk', 'interface_id', 'vlan_id'))
    parts, params = [], []
    for queryset in queries:
        part, part_params = _aggregate(queryset)
        parts.append(part)
        params += part_params
    if since is not None:
        # The recent changes first (by time), then those not made by the fabric's runs (their request ids hashed
        # once), and only for those whether they are of a linked object.
        parts.append(f'EXISTS (SELECT 1 FROM {quoted_table(ObjectChange)} c WHERE c.time >= %s '
                     f'AND c.request_id NOT IN (SELECT r.request_id FROM {quoted_table(SyncRun)} r '
                     f'WHERE r.fabric_id = %s) AND EXISTS (SELECT 1 FROM {quoted_table(InventoryLink)} l '
                     f'WHERE l.fabric_id = %s AND l.object_type_id = c.changed_object_type_id '
                     f'AND l.object_id = c.changed_object_id))')
        params += [since, fabric.pk, fabric.pk]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {", ".join(parts)}', params)
        row = cursor.fetchone()
    return (value_digest(row[:-1]), row[-1]) if since is not None else (value_digest(row), False)


def unchanged_totals(fabric, inputs):
    """{model label: objects} when the projection's inputs digest as `inputs` and its rows as they did after the last
    sync that kept a digest (then planning again would change nothing); otherwise None."""
    kept = Fabric.objects.filter(pk=fabric.pk).values_list('inventory_digest', flat=True).first() or {}
    if kept.get('inputs') != inputs:
        return None
    rows, _edited = _rows_digest(fabric)
    return kept['totals'] if kept.get('rows') == rows else None


def remember(fabric, run, inputs, plan):
    """After `plan` was written by `run`: keep the digests and the number of objects per model when the plan left
    nothing unresolved and nobody else edited a linked object meanwhile; otherwise forget any kept digest."""
    kept = {}
    if inputs is not None and not any(model_plan.errors for model_plan in plan.models.values()):
        rows, edited = _rows_digest(fabric, run.started - RACE_MARGIN)
        if not edited:
            kept = {'inputs': inputs, 'rows': rows,
                    'totals': {label: len(model_plan.create) + len(model_plan.update) + model_plan.unchanged
                               for label, model_plan in plan.models.items()}}
    Fabric.objects.filter(pk=fabric.pk).update(inventory_digest=kept)
