"""What the pages show of the projection: the Hedgehog objects a NetBox object stands for, and the NetBox objects of a
Hedgehog object (a few queries per page, whatever the fabric's size)."""
from django.contrib.contenttypes.models import ContentType

from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.models import InventoryLink

__all__ = (
    'hedgehog_objects',
    'netbox_objects',
    'port_map',
)


def hedgehog_objects(instance):
    """[(link, Hedgehog object or None)] for a NetBox object the projection created or adopted."""
    links = list(InventoryLink.objects.filter(object_type=ContentType.objects.get_for_model(instance),
                                              object_id=instance.pk).select_related('fabric'))
    by_kind = {}
    for link in links:
        by_kind.setdefault(link.kind, set()).add((link.fabric_id, link.name))
    found = {}
    for kind, keys in by_kind.items():
        model = KIND_BY_NAME[kind].model
        for obj in model.objects.filter(fabric_id__in={f for f, _n in keys}, name__in={n for _f, n in keys}):
            found[(kind, obj.fabric_id, obj.name)] = obj
    return [(link, found.get((link.kind, link.fabric_id, link.name))) for link in links]


def netbox_objects(hedgehog_object):
    """[(link, NetBox object)] of a Hedgehog object, ordered by model and key (one query per NetBox model)."""
    links = list(InventoryLink.objects.filter(fabric_id=hedgehog_object.fabric_id, kind=hedgehog_object.kind,
                                              name=hedgehog_object.name).order_by('object_type_id', 'key'))
    by_type = {}
    for link in links:
        by_type.setdefault(link.object_type_id, []).append(link.object_id)
    objects = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for obj in model.objects.filter(pk__in=ids):
            objects[(type_id, obj.pk)] = obj
    return [(link, objects[(link.object_type_id, link.object_id)]) for link in links
            if (link.object_type_id, link.object_id) in objects]


def port_map(hedgehog_object):
    """The ports of the NetBox device of a Switch, Server or Gateway, each with the device port at the far end of its
    cable, its LAG, and the VLANs (VPC subnets) it carries: (device or None, [row dict]). A bounded number of
    queries: the device, its interfaces, the far ends of their cable paths."""
    from dcim.models import Device, Interface

    device_type = ContentType.objects.get_for_model(Device)
    link = InventoryLink.objects.filter(fabric_id=hedgehog_object.fabric_id, kind=hedgehog_object.kind,
                                        name=hedgehog_object.name, object_type=device_type).first()
    device = Device.objects.filter(pk=link.object_id).first() if link else None
    if device is None:
        return None, []
    interfaces = list(Interface.objects.filter(device=device).select_related('lag', '_path', 'untagged_vlan')
                      .prefetch_related('tagged_vlans'))
    far_ids = {}
    for interface in interfaces:
        path = interface._path
        if path is not None and path.is_complete and path.path:
            far_ids[interface.pk] = [int(node.split(':')[1]) for node in path.path[-1]]
    far = Interface.objects.select_related('device').in_bulk({pk for ids in far_ids.values() for pk in ids})
    rows = []
    for interface in interfaces:
        vlans = ([interface.untagged_vlan] if interface.untagged_vlan else []) + list(interface.tagged_vlans.all())
        rows.append({
            'interface': interface,
            'far': [far[pk] for pk in far_ids.get(interface.pk, []) if pk in far],
            'vlans': vlans,
        })
    return device, rows
