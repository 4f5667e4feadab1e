"""Write an InventoryPlan in bulk, inside the sync's transaction: a bounded number of statements per NetBox model.

New objects get primary keys from their tables' sequences first, so that objects naming each other (an interface
its LAG, a device its primary IP) are written by COPY in any order (NetBox's foreign keys are checked at commit).
Cables are written with their terminations and the two cable paths of each (a cable between two interfaces is a
complete path from either end), as NetBox's own signals would have traced them. Counters NetBox caches (interfaces
per device, devices and interface templates per device type) and the prefix hierarchy are recomputed for what
changed. Deletions are set-based too (`_bulk_delete`): an object that something not deleted with it still needs is
kept, what NetBox would set to null is set to null, and the bookkeeping hanging off the deleted objects (a cable's
terminations and paths, tags, journal, search cache) goes with them.
"""
import uuid
from itertools import chain

from core.choices import ObjectChangeActionChoices
from core.models import ObjectChange
from dcim.models import Cable, CablePath, CableTermination, Device, DeviceType, Interface, InterfaceTemplate
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from extras.models import CachedValue, Tag, TaggedItem
from ipam.models import Prefix
from netbox.context import current_request
from netbox.registry import registry

from netbox_hedgehog.choices import SyncActionChoices
from netbox_hedgehog.models import InventoryLink, SyncChange
from netbox_hedgehog.sync.apply import (
    OBJECT_CHANGE_COLUMNS,
    SEARCH_COLUMNS,
    SYNC_CHANGE_COLUMNS,
    change_maker,
    delete_rows,
    search_values,
    searched_custom_fields,
)
from netbox_hedgehog.sync.bulk import (
    SNAPSHOT_CHUNK,
    change_snapshots,
    copy_instances,
    copy_rows,
    copy_update,
    instance_maker,
    reserve_ids,
    written_instances,
)

from .mapping import MANAGED_FIELDS, MODELS
from .planner import PENDING

__all__ = (
    'apply_inventory',
    'record_inventory',
    'remove_inventory',
)

TAG_SLUG = 'hedgehog'
# Objects that refer to a projected object without NetBox protecting it, whose reference a deletion must not clear:
# a created platform is deleted only when no device or virtual machine runs it.
IN_USE = {'dcim.platform': ('devices', 'virtual_machines')}
# What hangs off an object and goes with it (NetBox's own cascades): generic relations of bookkeeping, and the
# terminations of a cable. Any other object still referring to a projected object keeps it.
BOOKKEEPING = {'tagged_items', 'journal_entries', 'bookmarks', 'subscriptions', 'images', 'contacts'}
OWNED = {('dcim.cabletermination', 'cable')}
CABLE_END_FIELDS = ('cable_end', 'cable_connector', 'cable_positions')
LINK_COLUMNS = ('fabric_id', 'kind', 'name', 'key', 'object_type_id', 'object_id', 'created')
TAG_COLUMNS = ('content_type_id', 'object_id', 'tag_id')


def _snapshots(instances):
    """NetBox's change-log snapshot of each instance, many-to-many fields left out (the writer adds tagged VLANs)."""
    return list(change_snapshots(instances, tags=None, without_many_to_many=True))


def _sync_changes(run, plan):
    for label, model_plan in plan.models.items():
        kind = label
        for want in model_plan.create:
            yield run.pk, kind, want.key[:253], SyncActionChoices.CREATE, _pk(plan, label, want.key), [], '', ''
        for instance, want, changes in model_plan.update:
            yield run.pk, kind, want.key[:253], SyncActionChoices.UPDATE, instance.pk, changes, '', ''
        for link, _instance in model_plan.delete:
            yield run.pk, kind, link.key[:253], SyncActionChoices.DELETE, link.object_id, [], '', ''
        for hedgehog_kind, name, message in model_plan.errors:
            yield run.pk, hedgehog_kind, name[:253], SyncActionChoices.ERROR, None, [], message, ''


def _pk(plan, label, key):
    pk = plan.pks.get((label, key))
    return None if pk is PENDING else pk


def record_inventory(run, plan):
    """SyncChange rows of what the projection does (for real and dry runs), streamed with one COPY."""
    if any(p.create or p.update or p.delete or p.errors for p in plan.models.values()):
        copy_rows(SyncChange, SYNC_CHANGE_COLUMNS, _sync_changes(run, plan))


def _resolved(plan, fields):
    return {name: plan.resolve(value) for name, value in fields.items()}


def _new_instances(plan, label, model, places, cabled):
    """The unsaved instances of the objects of `label` the plan creates, primary keys set, one at a time, built as
    bulk.instance_maker builds them (they are only written). A want naming anything but concrete fields is built
    with keywords. Interfaces get their device's place and their cable."""
    make = instance_maker(model)
    attnames = {f.attname for f in model._meta.concrete_fields}
    pk_name = model._meta.pk.attname
    for want in plan.models[label].create:
        values = _resolved(plan, want.fields)
        values[pk_name] = plan.pks[(label, want.key)]
        if values.keys() <= attnames:
            instance = make(values)
        else:
            instance = model(**values)
        if label == 'ipam.vlangroup':
            instance.total_vlan_ids = sum(r.upper - r.lower for r in instance.vid_ranges)
        elif label == 'dcim.interface':
            instance._site_id, instance._location_id, instance._rack_id = places[instance.device_id]
            if instance.pk in cabled:
                instance.cable_id, instance.cable_end, instance._path_id = cabled[instance.pk]
        yield instance


def _device_places(plan):
    """{device id: (site, location, rack)} for the devices of the projection, as their components cache them."""
    places = {}
    for want in plan.projection.wants['dcim.device'].values():
        instance = plan.instances.get(('dcim.device', want.key))
        pk = plan.pks[('dcim.device', want.key)]
        places[pk] = ((instance.site_id, instance.location_id, instance.rack_id) if instance is not None
                      else (plan.resolve(want.fields['site_id']), None, None))
    return places


def _cables(plan, places, interface_type, cable_type):
    """Write the terminations and paths of the new cables (streamed: nothing is held per cable but its ends); set
    the cable fields of the existing interfaces they end on (Rows). Returns {new interface id: (cable id, cable end,
    path id)} and the Rows whose cable fields changed."""
    wants = plan.projection.wants['dcim.interface']
    ends = []       # (cable id, connected, a interface id, a device id, b interface id, b device id)
    for want in plan.models['dcim.cable'].create:
        row = [plan.pks[('dcim.cable', want.key)], plan.resolve(want.fields['status']) == 'connected']
        for ref in plan.projection.cable_ends[want.key]:
            existing = plan.instances.get(ref)
            row += [plan.pks[ref], existing.device_id if existing is not None
                    else plan.resolve(wants[ref.key].fields['device_id'])]
        ends.append(row)
    path_ids = reserve_ids(CablePath, 2 * len(ends))
    termination_ids = reserve_ids(CableTermination, 2 * len(ends))

    def sides():
        """(index of the end, cable, end, interface id, device id, nodes from it) of both ends of every cable."""
        for index, (cable, connected, a, a_device, b, b_device) in enumerate(ends):
            nodes = [f'{interface_type.pk}:{a}', f'{cable_type.pk}:{cable}', f'{interface_type.pk}:{b}']
            yield 2 * index, cable, connected, 'A', a, a_device, nodes
            yield 2 * index + 1, cable, connected, 'B', b, b_device, nodes[::-1]

    new_path, new_termination = instance_maker(CablePath), instance_maker(CableTermination)
    copy_instances(CablePath, (
        new_path({'id': path_ids[index], 'path': [[node] for node in nodes], 'is_active': connected,
                  'is_complete': True, 'is_split': False, '_nodes': nodes})
        for index, _cable, connected, _end, _interface, _device, nodes in sides()))
    copy_instances(CableTermination, (
        new_termination({'id': termination_ids[index], 'cable_id': cable, 'cable_end': end,
                         'termination_type_id': interface_type.pk, 'termination_id': interface,
                         '_device_id': device, '_site_id': places[device][0], '_location_id': places[device][1],
                         '_rack_id': places[device][2]})
        for index, cable, _connected, end, interface, device, _nodes in sides()))
    existing = {row.pk: row for (label, _key), row in plan.instances.items() if label == 'dcim.interface'}
    cabled, touched = {}, []
    for index, cable, _connected, end, interface, _device, _nodes in sides():
        row = existing.get(interface)
        if row is None:
            cabled[interface] = (cable, end, path_ids[index])
        else:
            row.cable_id, row.cable_end, row._path_id = cable, end, path_ids[index]
            touched.append(row)
    return cabled, touched


def _write_links(plan, fabric, types):
    rows = []
    for label, model_plan in plan.models.items():
        for want in model_plan.create:
            rows.append((fabric.pk, want.kind, want.name[:253], want.key[:300], types[label].pk,
                         plan.pks[(label, want.key)], True))
        for instance, want in model_plan.adopt:
            rows.append((fabric.pk, want.kind, want.name[:253], want.key[:300], types[label].pk, instance.pk, False))
    gone = [link.pk for p in plan.models.values() for link in (*p.release, *p.relink, *(d[0] for d in p.delete))]
    if gone:
        InventoryLink.objects.filter(pk__in=gone)._raw_delete(InventoryLink.objects.db)    # no per-object signals
    if rows:
        copy_rows(InventoryLink, LINK_COLUMNS, rows)


def _count(model, field):
    """How many objects of `model` name the outer row in `field` (a subquery)."""
    return Coalesce(Subquery(model.objects.filter(**{field: OuterRef('pk')}).values(field).annotate(n=Count('pk'))
                             .values('n')), 0)


def _refresh_counters(devices, types):
    """The counters NetBox caches on the devices and device types `devices` and `types` (ids); only rows whose
    counter differs are written."""
    if devices:
        interfaces = _count(Interface, 'device')
        Device.objects.filter(pk__in=devices).exclude(interface_count=interfaces).update(interface_count=interfaces)
    if types:
        counts = {'device_count': _count(Device, 'device_type'),
                  'interface_template_count': _count(InterfaceTemplate, 'device_type')}
        DeviceType.objects.filter(pk__in=types).exclude(**counts).update(**counts)


def _rebuild_prefix_tree(vrf_ids):
    """Depth and child count of every prefix in the VRFs (None: the global table) whose prefixes changed, from one
    read ordered by VRF and prefix, written with one bulk update."""
    condition = Prefix.objects.none()
    ids = [v for v in vrf_ids if v is not None]
    if ids:
        condition = Prefix.objects.filter(vrf_id__in=ids)
    if None in vrf_ids:
        condition = condition | Prefix.objects.filter(vrf__isnull=True)
    rows = list(condition.order_by('vrf_id', 'prefix', 'pk').values_list('pk', 'vrf_id', 'prefix', '_depth',
                                                                          '_children'))
    depth, children = {}, {}
    stack, current_vrf = [], object()
    for pk, vrf_id, prefix, _old_depth, _old_children in rows:
        if vrf_id != current_vrf:
            stack, current_vrf = [], vrf_id
        while stack and not (prefix in stack[-1][1] and prefix != stack[-1][1]):
            stack.pop()
        depth[pk], children[pk] = len(stack), 0
        for parent_pk, _parent in stack:
            children[parent_pk] += 1
        stack.append((pk, prefix))
    changed = [Prefix(pk=pk, _depth=depth[pk], _children=children[pk]) for pk, _vrf, _prefix, old_depth, old_children
               in rows if (old_depth, old_children) != (depth[pk], children[pk])]
    if changed:
        copy_update(Prefix, changed, ('_depth', '_children'))


def _tagged_vlans(plan):
    """Tagged VLANs of each interface the sync creates or updates, before and after it writes them: ({interface pk:
    [VLAN pks]}, {interface pk: [VLAN pks]}) (one query, for the change log's snapshots)."""
    through = Interface.tagged_vlans.through
    updated = [row.pk for row, _want, _changes in plan.models['dcim.interface'].update]
    before = {}
    if updated:
        for interface_id, vlan_id in through.objects.filter(interface_id__in=updated).values_list('interface_id',
                                                                                                 'vlan_id'):
            before.setdefault(interface_id, set()).add(vlan_id)
    after = {pk: set(vlans) for pk, vlans in before.items()}
    for _pk, interface, vlan in plan.tagged_stale:
        after.get(plan.pks[('dcim.interface', interface)], set()).discard(plan.pks[('ipam.vlan', vlan)])
    for interface, vlan in plan.tagged_missing:
        after.setdefault(plan.pks[('dcim.interface', interface)], set()).add(plan.pks[('ipam.vlan', vlan)])
    return ({pk: sorted(vlans) for pk, vlans in before.items()}, {pk: sorted(vlans) for pk, vlans in after.items()})


def _write_tagged_vlans(plan):
    """Remove the memberships no attachment wants and add the missing ones (one statement each: a raw delete, as
    Django's deletion of rows with receivers loads them first and deletes them in batches)."""
    through = Interface.tagged_vlans.through
    if plan.tagged_stale:
        stale = through.objects.filter(pk__in=[pk for pk, _interface, _vlan in plan.tagged_stale])
        stale._raw_delete(stale.db)
    if plan.tagged_missing:
        through.objects.bulk_create([
            through(interface_id=plan.pks[('dcim.interface', interface)], vlan_id=plan.pks[('ipam.vlan', vlan)])
            for interface, vlan in plan.tagged_missing
        ])


def _bulk_delete(model, rows):
    """Delete the objects of the queryset `rows` that nothing else needs, in a number of statements that depends on
    the model, not on the number of objects; return them (loaded before). Kept: objects that another object not
    deleted here refers to where NetBox would cascade or protect (a person's cable, IP address or component on a
    projected interface or device, a device of a projected type), and `IN_USE`. Set to null: references NetBox sets
    to null (an interface's LAG or VLAN, a device's primary IP; a cable's ends, whose paths are deleted)."""
    object_type = ContentType.objects.get_for_model(model)
    set_null, through = [], []
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.many_to_many:
            through.append(relation)
        elif (isinstance(relation, models.ForeignObjectRel) and relation.on_delete is not models.DO_NOTHING
              and not relation.related_model._meta.auto_created):     # many-to-many rows: deleted below
            related = relation.related_model
            if relation.on_delete is models.SET_NULL:
                set_null.append(relation)
            elif (related._meta.label_lower, relation.field.name) not in OWNED:
                rows = rows.exclude(pk__in=related._base_manager.filter(**{f'{relation.field.name}__isnull': False})
                                    .values(relation.field.attname))
        elif isinstance(relation, GenericRelation) and relation.name not in BOOKKEEPING:
            rows = rows.exclude(pk__in=relation.related_model._base_manager.filter(**{
                relation.content_type_field_name: object_type}).values(relation.object_id_field_name))
    for relation in IN_USE.get(model._meta.label_lower, ()):
        rows = rows.exclude(**{f'{relation}__isnull': False})
    instances = list(rows.order_by('pk'))
    if not instances:
        return []
    pks = [instance.pk for instance in instances]
    if model is Cable:
        paths = CablePath.objects.filter(_nodes__overlap=[f'{object_type.pk}:{pk}' for pk in pks])
        _bulk_delete(CablePath, paths)
        CableTermination.objects.filter(cable_id__in=pks)._raw_delete(CableTermination.objects.db)
    for relation in set_null:
        name = relation.field.name
        cleared = {name: None, **{f: None for f in CABLE_END_FIELDS if name == 'cable'}}
        relation.related_model._base_manager.filter(**{f'{name}__in': pks}).update(**cleared)
    for relation in through:
        table = relation.through if hasattr(relation, 'through') else relation.remote_field.through
        own = next((f.name for f in table._meta.fields if f.related_model is model), None)
        if own is not None:     # tags: a generic relation, deleted with the bookkeeping
            table._base_manager.filter(**{f'{own}__in': pks})._raw_delete(table._base_manager.db)
    delete_rows(model, object_type, pks)
    return instances


def _delete(fabric, model, ids, change):
    """Delete the objects `ids` of `model` the projection of `fabric` created, except those another fabric's
    projection links too (see `_bulk_delete` for what else is kept); returns the ids deleted and their change
    records."""
    object_type = ContentType.objects.get_for_model(model)
    shared = InventoryLink.objects.filter(object_type=object_type).exclude(fabric=fabric)
    deleted = _bulk_delete(model, model.objects.filter(pk__in=ids).exclude(pk__in=shared.values('object_id')))
    return {instance.pk for instance in deleted}, [
        change(ObjectChangeActionChoices.ACTION_DELETE, object_type, instance.pk, str(instance), snapshot, None)
        for instance, snapshot in zip(deleted, _snapshots(deleted), strict=True)
    ]


def apply_inventory(fabric, run, plan, user=None):
    """Write `plan` (call inside the sync's transaction, after the Hedgehog objects are written).

    Model by model: the new objects are built, written, and their change records and search values written, before
    the next model's are built, so that no more than one model's new objects are held at a time (the whole
    projection of a large fabric at once was most of an initial sync's memory). Later models need only primary keys,
    known beforehand."""
    now = timezone.now()
    change = change_maker(user, run.request_id, f'Hedgehog sync run #{run.pk}', now)
    types = {label: ContentType.objects.get_for_model(plan.models[label].model) for label in MODELS}
    # Primary keys of every new object first: objects refer to each other by them.
    for label in MODELS:
        model_plan = plan.models[label]
        for want, pk in zip(model_plan.create, reserve_ids(model_plan.model, len(model_plan.create)), strict=True):
            plan.pks[(label, want.key)] = pk
    places = _device_places(plan)
    tagged_before, tagged_after = _tagged_vlans(plan)
    cabled, touched = _cables(plan, places, types['dcim.interface'], types['dcim.cable'])
    tag = Tag.objects.get_or_create(slug=TAG_SLUG, defaults={'name': TAG_SLUG, 'color': '795548',
                                                             'description': 'Created by the Hedgehog projection'})[0]
    for label in MODELS:
        _write_model(plan, label, types[label], change, now, places, cabled, tagged_before, tagged_after)
    if touched:
        copy_update(Interface, touched, ('cable_id', 'cable_end', '_path_id'))
    object_changes = []
    for label in reversed(MODELS):
        model_plan = plan.models[label]
        if model_plan.delete:
            deleted, changes = _delete(fabric, model_plan.model, [link.object_id for link, _row in model_plan.delete],
                                       change)
            object_changes.extend(changes)
            # What something else still needs stays, released (its link dropped) rather than counted as deleted.
            model_plan.release.extend(link for link, _row in model_plan.delete if link.object_id not in deleted)
            model_plan.delete = [entry for entry in model_plan.delete if entry[0].object_id in deleted]
    if any(plan.models[label].create for label in MODELS):
        copy_rows(TaggedItem, TAG_COLUMNS, ((types[label].pk, plan.pks[(label, want.key)], tag.pk)
                                            for label in MODELS for want in plan.models[label].create))
    _write_links(plan, fabric, types)
    _write_tagged_vlans(plan)
    _refresh_counters(*([pk for (label, _key), pk in plan.pks.items() if label == model_label and pk is not PENDING]
                        for model_label in ('dcim.device', 'dcim.devicetype')))
    prefixes = plan.models['ipam.prefix']
    if prefixes.create or prefixes.update or prefixes.delete:
        _rebuild_prefix_tree({w.fields['vrf_id'] and plan.resolve(w.fields['vrf_id']) for w in prefixes.create}
                             | {i.vrf_id for i, _w, _c in prefixes.update} | {i.vrf_id for _l, i in prefixes.delete})
    if object_changes:
        copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, object_changes)


def _write_model(plan, label, object_type, change, now, places, cabled, tagged_before, tagged_after):
    """Write the new and updated objects of `label`, their change records and search values. The new objects are
    built one at a time as the COPY takes them; what stays of each is its row as written, from which the change
    records and the search values build it again a chunk at a time (a model's instances at once were most of a
    large initial sync's memory)."""
    model_plan = plan.models[label]
    model = model_plan.model
    rows = []
    if model_plan.create:
        copy_instances(model, _new_instances(plan, label, model, places, cabled), rows)
    # The change records of the model in order: its new objects', then its updated ones'.
    object_changes = [_created_changes(change, label, object_type, model, rows, tagged_after)] if rows else []
    updated = _update(plan, label, now, tagged_before)
    if updated:
        instances = [instance for instance, _pre in updated]
        fields = [*MANAGED_FIELDS[label], *(('last_updated',) if hasattr(instances[0], 'last_updated') else ())]
        if label == 'ipam.vlangroup':
            for instance in instances:
                instance.total_vlan_ids = sum(r.upper - r.lower for r in instance.vid_ranges)
            fields.append('total_vlan_ids')
        copy_update(model, instances, fields)
        updates = []
        for (instance, pre), post in zip(updated, _snapshots(instances), strict=True):
            if label == 'dcim.interface':
                post['tagged_vlans'] = tagged_after.get(instance.pk, [])
            updates.append(change(ObjectChangeActionChoices.ACTION_UPDATE, object_type, instance.pk,
                                  str(instance), pre, post))
        object_changes.append(updates)
        CachedValue.objects.filter(object_type=object_type, object_id__in=[i.pk for i in instances])._raw_delete(
            CachedValue.objects.db)
    if object_changes:
        copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, chain.from_iterable(object_changes))
    if (rows or updated) and label in registry['search']:
        custom_fields = searched_custom_fields(model, [i for i, _pre in updated])
        copy_rows(CachedValue, SEARCH_COLUMNS, search_values(
            model, object_type, chain(written_instances(model, rows), (i for i, _pre in updated)), now, custom_fields))


def _update(plan, label, now, tagged_before):
    """The model instances of the objects of `label` the plan updates, their wanted values set, each with its
    change-log snapshot from before (one query)."""
    updates = plan.models[label].update
    loaded = plan.models[label].model.objects.in_bulk([row.pk for row, _want, _changes in updates])
    updated = []
    for row, want, _changes in updates:
        instance = loaded[row.pk]
        pre = _snapshots([instance])[0]
        if label == 'dcim.interface':
            pre['tagged_vlans'] = tagged_before.get(instance.pk, [])
        for name, value in want.fields.items():
            setattr(instance, name, plan.wanted(value, getattr(instance, name)))
        if hasattr(instance, 'last_updated'):
            instance.last_updated = now
        updated.append((instance, pre))
    return updated


def _created_changes(change, label, object_type, model, rows, tagged_after):
    """The change records of the new objects of `model` written as `rows`, built again and their snapshots made a
    chunk at a time."""
    for start in range(0, len(rows), SNAPSHOT_CHUNK):
        instances = list(written_instances(model, rows[start:start + SNAPSHOT_CHUNK]))
        snapshots = change_snapshots(instances, tags=[TAG_SLUG], without_many_to_many=True)
        for instance, snapshot in zip(instances, snapshots, strict=True):
            if label == 'dcim.interface':
                snapshot['tagged_vlans'] = tagged_after.get(instance.pk, [])
            yield change(ObjectChangeActionChoices.ACTION_CREATE, object_type, instance.pk, str(instance), None,
                         snapshot)


def remove_inventory(fabric):
    """Delete what the projection of `fabric` created and forget what it adopted, set-based (a number of statements
    independent of the projection's size), with a change record per deleted object. Used when the site is cleared
    or the fabric deleted (in the web request's change log when there is one)."""
    links = list(InventoryLink.objects.filter(fabric=fabric).values_list('object_type_id', 'object_id', 'created'))
    if not links:
        return
    request = current_request.get()
    user = getattr(request, 'user', None)
    change = change_maker(user if user is not None and user.is_authenticated else None,
                          getattr(request, 'id', None) or uuid.uuid4(),
                          f'Inventory projection of fabric {fabric} removed', timezone.now())
    types = {label: ContentType.objects.get_for_model(apps.get_model(label)).pk for label in MODELS}
    linked = {label: [pk for type_id, pk, _created in links if type_id == types[label]] for label in MODELS}
    # Prefix depths and device counters of what stays are recomputed after the deletion.
    vrfs = set(Prefix.objects.filter(pk__in=linked['ipam.prefix']).values_list('vrf_id', flat=True))
    devices = linked['dcim.device'] + list(Interface.objects.filter(pk__in=linked['dcim.interface'])
                                          .values_list('device_id', flat=True).distinct())
    object_changes = []
    for label in reversed(MODELS):
        ids = [pk for type_id, pk, created in links if type_id == types[label] and created]
        if ids:
            object_changes.extend(_delete(fabric, apps.get_model(label), ids, change)[1])
    InventoryLink.objects.filter(fabric=fabric)._raw_delete(InventoryLink.objects.db)
    _refresh_counters(devices, linked['dcim.devicetype'])
    if vrfs:
        _rebuild_prefix_tree(vrfs)
    if object_changes:
        copy_rows(ObjectChange, OBJECT_CHANGE_COLUMNS, object_changes)
