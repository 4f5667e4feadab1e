"""The fabric in NetBox's own inventory (dcim/ipam): mapping (what each Hedgehog object becomes), planner (what a
sync changes) and writer (bulk writes in the sync's transaction). The engine calls `sync_inventory` once per sync."""
from netbox_hedgehog.models import InventoryLink

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
    plan = plan_inventory(fabric, plans, live)
    if not run.dry_run:
        apply_inventory(fabric, run, plan, user)
    record_inventory(run, plan)
    for model_plan in plan.models.values():
        for kind, name, message in model_plan.errors:
            log(f'{kind} {name}: {message}')
    return plan.counts()
