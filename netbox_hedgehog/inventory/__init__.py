"""The fabric in NetBox's own inventory (dcim/ipam): mapping (what each Hedgehog object becomes), planner (what a
sync changes), writer (bulk writes in the sync's transaction) and digest (when planning again would change nothing).
The engine calls `sync_inventory` once per sync."""
from netbox_hedgehog.models import InventoryLink

from .digest import inputs_digest, remember, unchanged_totals
from .planner import plan_inventory
from .writer import apply_inventory, record_inventory, remove_inventory

__all__ = (
    'remove_inventory',
    'sync_inventory',
)


def sync_inventory(fabric, run, plans, log, user=None, live=None):
    """Project the fabric after the Hedgehog `plans`, with the live state `live` ({switch: SwitchLiveState field
    values} as the run read its agents) (call inside the sync's transaction, after they are applied); returns the
    run's counts per NetBox model ({} for a fabric without a site and nothing projected)."""
    if not fabric.inventory_site_id and not InventoryLink.objects.filter(fabric=fabric).exists():
        return {}
    inputs = None
    # The stored Hedgehog objects are the fabric's after the plans once they are written (or when they write nothing).
    if fabric.inventory_site_id and (not run.dry_run or not any(plan.create or plan.update or plan.delete
                                                                for plan in plans)):
        inputs = inputs_digest(fabric, live)
        totals = unchanged_totals(fabric, inputs)
        if totals is not None:
            log('NetBox inventory: unchanged (the fabric, its live state and the projected objects are as after the '
                'last sync that planned it)')
            return {f'NetBox {label}': {'create': 0, 'update': 0, 'delete': 0, 'unchanged': count, 'error': 0}
                    for label, count in totals.items() if count}
    # A dry run projects the fabric as its plans would leave it; a real run wrote its plans: its rows are the fabric.
    plan = plan_inventory(fabric, plans if run.dry_run else (), live)
    if not run.dry_run:
        apply_inventory(fabric, run, plan, user)
        remember(fabric, run, inputs, plan)
    record_inventory(run, plan)
    for model_plan in plan.models.values():
        for kind, name, message in model_plan.errors:
            log(f'{kind} {name}: {message}')
    return plan.counts()
