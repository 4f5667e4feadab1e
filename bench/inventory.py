"""`make bench BENCH_ARGS='--inventory'`: the same syncs with the fabric projected into NetBox's own inventory.

Before its initial sync the bench fabric gets an inventory site of its own, so that every sync also plans and writes
its devices, interfaces, cables, IP addresses, VRFs, prefixes and VLANs (netbox_hedgehog/inventory). Each sync's
NetBox counts are checked as its Hedgehog counts are: the initial sync creates the projection without an error, the
unchanged re-sync writes nothing to it, the 1% change projects without an error, and after every sync NetBox holds a
device for every switch, server and gateway of the fabric. The targets are issue 15's (item 6).
"""
from django.db import connection

__all__ = (
    'INVENTORY_MEMORY_TARGET',
    'INVENTORY_TIME_TARGETS',
    'inventory_sync',
    'project_inventory',
    'wipe_inventory',
)

# Issue 15, item 6: with the projection on, the 10k fabric's syncs.
INVENTORY_TIME_TARGETS = {('10k', 'initial'): 15.0, ('10k', 'unchanged'): 1.5, ('10k', 'changed'): 3.0}
INVENTORY_MEMORY_TARGET = ('50k', 600.0)
DEVICE_KINDS = ('Switch', 'Server', 'Gateway')
# What a sync that changed nothing the projection maps must not write.
UNCHANGED = ('create', 'update', 'delete', 'error')


def project_inventory(fabric, size):
    """Give `fabric` an inventory site of its own ("bench-<size>"), so that its syncs project it."""
    from dcim.models import Site

    site = Site.objects.create(name=f'bench-{size}', slug=f'bench-{size}')
    fabric.inventory_site = site
    fabric.save()


def _devices_missing(fabric_id):
    """What is wrong with the devices at the fabric's inventory site ('' when there is one for every switch, server
    and gateway of the fabric)."""
    from dcim.models import Device

    from netbox_hedgehog.kinds import KIND_BY_NAME
    from netbox_hedgehog.models import Fabric

    fabric = Fabric.objects.get(pk=fabric_id)
    wanted = sum(KIND_BY_NAME[kind].model.objects.filter(fabric=fabric).count() for kind in DEVICE_KINDS)
    stored = Device.objects.filter(site_id=fabric.inventory_site_id).count()
    if stored == wanted:
        return ''
    return f'NetBox holds {stored} devices at the inventory site, the fabric {wanted} switches, servers and gateways'


def inventory_sync(sync, error):
    """`sync` (a function of the fabric id returning bench.syncrun's figures) checked for the projection: the first
    call must create it, later calls that change no Hedgehog object must leave it as it is, none may report an
    error; `error` is the exception class raised otherwise."""
    calls = []

    def checked(fabric_id):
        figures = sync(fabric_id)
        projected = figures['inventory_counts']
        first = not calls
        calls.append(figures)
        if first and not projected['create']:
            raise error('the initial sync projected nothing into the inventory')
        quiet = not first and not any(figures['counts'][action] for action in ('create', 'update', 'delete'))
        expected = UNCHANGED if quiet else ('error',)
        wrote = {action: projected[action] for action in expected if projected[action]}
        if wrote:
            raise error(f'the sync did {wrote} in the inventory, expected none')
        if missing := _devices_missing(fabric_id):
            raise error(missing)
        return figures
    return checked


def wipe_inventory():
    """Empty what projections left in the bench database: sites and every table the projection writes (with
    what refers to them), tags on them and the global search cache."""
    from django.apps import apps

    from netbox_hedgehog.inventory.mapping import MODELS

    tables = {apps.get_model(label)._meta.db_table for label in MODELS}
    tables |= {'dcim_site', 'dcim_cablepath', 'dcim_cabletermination', 'extras_tag', 'extras_taggeditem',
               'extras_cachedvalue'}
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE {", ".join(map(connection.ops.quote_name, sorted(tables)))} RESTART IDENTITY '
                       f'CASCADE')
