"""Decide what the projection does to NetBox's inventory: which wanted objects are created, adopted (an existing
object of the same natural key), updated (a managed field differs) or left alone, which created objects are deleted
and which adopted ones released, and what blocks a mapping. Reads only, a bounded number of queries per model.
"""
from collections import namedtuple
from dataclasses import dataclass, field

from dcim.models import Interface
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import InventoryLink

from .mapping import MANAGED_FIELDS, MODELS, Kept, Ref, project

__all__ = (
    'PENDING',
    'InventoryPlan',
    'ModelPlan',
    'fabric_objects',
    'link_values',
    'linked_ids',
    'plan_inventory',
    'row_values',
)

# The fields an existing object must match to be adopted (by attname, in the order of Want.match).
MATCH_FIELDS = {
    'dcim.manufacturer': ('slug',),
    'dcim.devicerole': ('slug',),
    'dcim.platform': ('slug',),
    'dcim.devicetype': ('manufacturer_id', 'slug'),
    'dcim.interfacetemplate': ('device_type_id', 'name'),
    'dcim.device': ('site_id', 'name'),
    'dcim.interface': ('device_id', 'name'),
    'ipam.vrf': ('name',),
    'ipam.vlangroup': ('scope_type_id', 'scope_id', 'name'),
    'ipam.vlan': ('group_id', 'vid'),
    'ipam.prefix': ('vrf_id', 'prefix'),
    'ipam.ipaddress': ('vrf_id', 'address'),
}
SOURCE_KINDS = ('SwitchProfile', 'Switch', 'Server', 'Gateway', 'Connection', 'VLANNamespace', 'IPv4Namespace', 'VPC',
                'VPCAttachment')


class _Pending:
    """The primary key of an object the sync is about to create."""

    def __repr__(self):
        return 'PENDING'


PENDING = _Pending()


@dataclass
class ModelPlan:
    """What a sync does to the objects of one NetBox model."""
    label: str
    create: list = field(default_factory=list)      # Want
    update: list = field(default_factory=list)      # (Row, Want, diff)
    adopt: list = field(default_factory=list)       # (Row, Want): links to write, created=False
    delete: list = field(default_factory=list)      # (link, Row): created objects whose source is gone
    release: list = field(default_factory=list)     # links of adopted objects no longer wanted
    relink: list = field(default_factory=list)      # links whose object is gone: dropped, the object re-created
    errors: list = field(default_factory=list)      # (kind, name, message)
    unchanged: int = 0

    @property
    def model(self):
        return apps.get_model(self.label)

    def counts(self):
        return {'create': len(self.create), 'update': len(self.update), 'delete': len(self.delete),
                'unchanged': self.unchanged, 'error': len(self.errors)}


@dataclass
class InventoryPlan:
    """What a sync does to the fabric's NetBox inventory, model by model, and the primary key of every wanted object
    (PENDING for those it creates, until the writer takes their keys)."""
    fabric: object
    projection: object
    models: dict = field(default_factory=dict)          # label -> ModelPlan
    pks: dict = field(default_factory=dict)             # (label, key) -> pk or PENDING
    instances: dict = field(default_factory=dict)       # (label, key) -> Row of the existing (linked or adopted)
    # Tagged VLAN memberships of the projection's VLANs: (membership pk, interface key, VLAN key) to remove and
    # (interface key, VLAN key) to add.
    tagged_stale: list = field(default_factory=list)
    tagged_missing: list = field(default_factory=list)

    def resolve(self, value):
        """A wanted value as a new object gets it."""
        if isinstance(value, Ref):
            return self.pks.get((value.model, value.key))
        if isinstance(value, Kept):
            return value.default
        return value

    def wanted(self, value, current):
        """A wanted value as an existing object whose field holds `current` gets it."""
        return value.given(current) if isinstance(value, Kept) else self.resolve(value)

    def counts(self):
        return {f'NetBox {label}': plan.counts() for label, plan in self.models.items()
                if plan.create or plan.update or plan.delete or plan.unchanged or plan.adopt or plan.errors}


def fabric_objects(fabric, plans):
    """{kind: {name: spec}} of the fabric after the Hedgehog plans (not written: a dry run's): the stored rows with
    the plans' creates and updates laid over them and their deletes taken out (one query per kind)."""
    objects = {}
    by_kind = {plan.kind_spec.kind: plan for plan in plans}
    for kind_spec in KINDS:
        if kind_spec.kind not in SOURCE_KINDS:
            continue
        specs = dict(kind_spec.model.objects.filter(fabric=fabric).values_list('name', 'spec'))
        plan = by_kind.get(kind_spec.kind)
        if plan is not None:
            for obj in plan.create:
                specs[obj.name] = obj.spec
            for _instance, obj, _changes in plan.update:
                specs[obj.name] = obj.spec
            for _pk, name in plan.delete:
                specs.pop(name, None)
        objects[kind_spec.kind] = {name: spec or {} for name, spec in specs.items()}
    return objects


# Fields compared (and recorded) as text.
ADDRESS_FIELDS = ('prefix', 'address')


def _value(instance, name):
    value = getattr(instance, name)
    return str(value) if name in ADDRESS_FIELDS and value is not None else value


# Columns besides the managed and natural-key fields the planner and writer read of an existing object.
EXTRA_COLUMNS = {
    'dcim.device': ('location_id', 'rack_id'),
    'dcim.interface': ('cable_id', 'device__name'),
    'ipam.ipaddress': ('assigned_object_type_id', 'assigned_object_id'),
}


class Row:
    """The columns of an existing object that the plan compares and refers to: reading values instead of model
    instances keeps a re-sync of an unchanged fabric cheap. The writer loads the model instances of what it
    changes."""

    def __init__(self, values):
        self.__dict__.update(values)
        self.id = self.pk

    def __repr__(self):
        return f'Row({self.__dict__})'


# The columns of the fabric's InventoryLinks the plan reads (named tuples: no model instance per link).
Link = namedtuple('Link', ('pk', 'object_type_id', 'object_id', 'key', 'created'))


def row_values(label, condition):
    """The columns the plan reads of the existing objects of `label` matching `condition` (a values() queryset
    ordered by primary key)."""
    columns = dict.fromkeys(('pk', *MANAGED_FIELDS.get(label, ()), *MATCH_FIELDS.get(label, ()),
                             *EXTRA_COLUMNS.get(label, ())))
    return apps.get_model(label).objects.filter(condition).order_by('pk').values(*columns)


def _rows(label, condition):
    """The existing objects of `label` matching `condition`, as Rows ordered by primary key (one query)."""
    return [Row(values) for values in row_values(label, condition)]


def linked_ids(fabric, type_id):
    """The primary keys the fabric's links name of the content type `type_id` (a subquery)."""
    return InventoryLink.objects.filter(fabric=fabric, object_type_id=type_id).values('object_id')


def link_values(fabric):
    """The columns the plan reads of the fabric's InventoryLinks (a values_list() queryset of Links)."""
    return InventoryLink.objects.filter(fabric=fabric).values_list(*Link._fields, named=True)


def _candidates(label, names, matches):
    """Existing objects whose natural key is one of `matches` (tuples of values for `names`), by that key."""
    if not matches:
        return {}
    condition = Q()
    for index, name in enumerate(names):
        values = {m[index] for m in matches}
        part = Q(**{f'{name}__isnull': True}) if None in values else Q()
        values.discard(None)
        if values:
            part |= Q(**{f'{name}__in': values})
        condition &= part
    found = {}
    for row in _rows(label, condition):
        found.setdefault(tuple(_value(row, name) for name in names), row)
    return found


def _plan_model(plan, label, links, linked_ids):
    """Plan one model: linked objects, adoptions, creations, updates, and the links whose want is gone.
    `linked_ids` selects the primary keys the fabric's links name for this model (a subquery: a projection of
    thousands of objects is not sent back to the database as a list)."""
    wants = plan.projection.wants[label]
    model_plan = ModelPlan(label)
    plan.models[label] = model_plan
    linked = {link.key: link for link in links.get(label, ())}
    existing = {row.pk: row for row in _rows(label, Q(pk__in=linked_ids))} if linked else {}
    for key, link in linked.items():
        if key not in wants:
            if link.object_id not in existing:
                model_plan.relink.append(link)
            elif link.created:
                model_plan.delete.append((link, existing[link.object_id]))
            else:
                model_plan.release.append(link)
    unlinked = []
    for key, want in wants.items():
        link = linked.get(key)
        if link is not None and link.object_id in existing:
            plan.instances[(label, key)] = existing[link.object_id]
            plan.pks[(label, key)] = link.object_id
        else:
            if link is not None:
                model_plan.relink.append(link)
            unlinked.append(want)
    if label == 'dcim.cable':
        _plan_cables(plan, model_plan, unlinked)
    else:
        names = MATCH_FIELDS[label]
        matches = {want.key: tuple(plan.resolve(v) for v in want.match) for want in unlinked}
        found = _candidates(label, names, [m for m in matches.values() if PENDING not in m])
        taken = set(plan.pks.get((label, key)) for key in wants)
        for want in unlinked:
            instance = found.get(matches[want.key])
            if instance is not None and instance.pk not in taken and not _blocked(plan, model_plan, want, instance):
                taken.add(instance.pk)
                model_plan.adopt.append((instance, want))
                plan.instances[(label, want.key)] = instance
                plan.pks[(label, want.key)] = instance.pk
            elif instance is None or instance.pk in taken:
                model_plan.create.append(want)
                plan.pks[(label, want.key)] = PENDING


def _plan_updates(plan, label):
    """Updates of the linked and adopted objects of one model (once every model is planned: a device's primary
    IP and an interface's untagged VLAN name objects planned after them)."""
    model_plan = plan.models[label]
    instances = plan.instances
    for key, want in plan.projection.wants[label].items():
        instance = instances.get((label, key))
        if instance is None:
            continue
        changes = []
        columns = instance.__dict__
        for name, value in want.fields.items():
            # Most wanted values are plain and equal to the column: compared before the general path (Refs, Kept,
            # lists, and addresses, which netaddr compares by their network, not their text).
            if columns[name] == value and not isinstance(value, (tuple, list)) and name not in ADDRESS_FIELDS:
                continue
            current = _value(instance, name)
            new = plan.wanted(value, current)
            if _differs(current, new):
                changes.append({'path': name, 'old': _json(current), 'new': _json(new)})
        if changes:
            model_plan.update.append((instance, want, changes))
        else:
            model_plan.unchanged += 1


def _plan_tagged_vlans(plan):
    """The projection's VLANs tagged on its interfaces (VPC attachments): memberships no attachment wants any more
    and wanted ones missing; an existing interface whose set changes is an update of its `tagged_vlans` (VLANs by
    their keys, "<group>/<vid>"). Memberships of other VLANs are left alone. One query (selecting by the VLANs, far
fewer than the interfaces)."""
    vlans = {pk: key for (label, key), pk in plan.pks.items() if label == 'ipam.vlan' and pk is not PENDING}
    interfaces = {pk: key for (label, key), pk in plan.pks.items() if label == 'dcim.interface' and pk is not PENDING}
    existing = {}
    if vlans and interfaces:
        for pk, interface_id, vlan_id in Interface.tagged_vlans.through.objects.filter(
                vlan_id__in=vlans).values_list('pk', 'interface_id', 'vlan_id'):
            if interface_id in interfaces:
                existing.setdefault(interfaces[interface_id], {})[vlans[vlan_id]] = pk
    model_plan = plan.models['dcim.interface']
    updates = {want.key: changes for _row, want, changes in model_plan.update}
    for key in sorted(set(existing) | set(plan.projection.tagged_vlans)):
        have = existing.get(key, {})
        wanted = {ref.key for ref in plan.projection.tagged_vlans.get(key, ())}
        plan.tagged_stale.extend((pk, key, vlan) for vlan, pk in sorted(have.items()) if vlan not in wanted)
        plan.tagged_missing.extend((key, vlan) for vlan in sorted(wanted - set(have)))
        instance = plan.instances.get(('dcim.interface', key))
        if instance is None or set(have) == wanted:
            continue
        change = {'path': 'tagged_vlans', 'old': sorted(have), 'new': sorted(wanted)}
        if key in updates:
            updates[key].append(change)
        else:
            model_plan.update.append((instance, plan.projection.wants['dcim.interface'][key], [change]))
            model_plan.unchanged -= 1


def _keep_platforms_in_use(plan):
    """A platform of the projection that no agent reports any more stays while a switch without live state keeps
    it (it is deleted once no switch of the fabric runs it)."""
    platforms = plan.models['dcim.platform']
    devices = plan.projection.wants['dcim.device']
    kept = {plan.instances[('dcim.device', key)].platform_id for key, want in devices.items()
            if isinstance(want.fields['platform_id'], Kept) and ('dcim.device', key) in plan.instances}
    staying = [entry for entry in platforms.delete if entry[0].object_id in kept]
    for entry in staying:
        platforms.delete.remove(entry)
    platforms.unchanged += len(staying)


def _differs(current, wanted):
    if wanted is PENDING:
        return True
    if isinstance(current, list) and isinstance(wanted, list):
        return [(r.lower, r.upper) if hasattr(r, 'lower') else r for r in current] != \
            [(r.lower, r.upper) if hasattr(r, 'lower') else r for r in wanted]
    return current != wanted


def _json(value):
    if value is PENDING:
        return '(new)'
    if isinstance(value, list):
        return [f'{r.lower}-{r.upper - 1}' if hasattr(r, 'lower') else r for r in value]
    return value


def _blocked(plan, model_plan, want, instance):
    """Whether an existing object that matches must not be adopted (then the want is reported, not projected)."""
    if model_plan.label == 'ipam.ipaddress' and instance.assigned_object_id is not None:
        target = plan.resolve(want.fields['assigned_object_id'])
        if (instance.assigned_object_type_id, instance.assigned_object_id) != (
                plan.resolve(want.fields['assigned_object_type_id']), target):
            model_plan.errors.append((want.kind, want.name, (
                f'IP address {instance.address} is assigned to another object in NetBox (IP address #{instance.pk}); '
                f'not projected')))
            return True
    return False


def _plan_cables(plan, model_plan, unlinked):
    """Cables: adopt the cable that already joins both ends; report an end cabled elsewhere; create the rest."""
    ends = plan.projection.cable_ends
    # Cables this sync deletes free their ends for the cables that replace them.
    deleting = {link.object_id for link, _instance in model_plan.delete}
    interfaces = [plan.instances.get(ref) for want in unlinked for ref in ends[want.key]]
    cabled = {i.cable_id for i in interfaces if i is not None and i.cable_id} - deleting
    cables = {row.pk: row for row in _rows('dcim.cable', Q(pk__in=cabled))} if cabled else {}
    for want in unlinked:
        a, b = (plan.instances.get(ref) for ref in ends[want.key])
        a_cable, b_cable = (i.cable_id if i is not None and i.cable_id not in deleting else None for i in (a, b))
        if a_cable and a_cable == b_cable:
            model_plan.adopt.append((cables[a_cable], want))
            plan.instances[('dcim.cable', want.key)] = cables[a_cable]
            plan.pks[('dcim.cable', want.key)] = a_cable
        elif a_cable or b_cable:
            blocked = a if a_cable else b
            model_plan.errors.append((want.kind, want.name, (
                f'interface {blocked.name} of device {blocked.device__name} already has cable #{blocked.cable_id} to '
                f'another interface in NetBox; the link {want.key} is not projected')))
        else:
            model_plan.create.append(want)
            plan.pks[('dcim.cable', want.key)] = PENDING


def plan_inventory(fabric, plans, live=None):
    """The InventoryPlan of `fabric` after the Hedgehog `plans` (not written: a dry run's; see fabric_objects), with
    the live state `live` its agents report (with no site: the removal of everything created)."""
    site_type = ContentType.objects.get_for_model(apps.get_model('dcim.site'))
    if fabric.inventory_site_id:
        # The fabric's specs (read from the database for what the sync did not write) go once projected: they are
        # not held while the existing objects are read and compared.
        projection = project(fabric_objects(fabric, plans), fabric.inventory_site_id, fabric.inventory_tenant_id,
                             site_type.pk, ContentType.objects.get_for_model(Interface).pk, live)
    else:
        projection = project({}, None, None, site_type.pk, None)
    plan = InventoryPlan(fabric, projection)
    links = {}
    types = {ContentType.objects.get_for_model(apps.get_model(label)).pk: label for label in MODELS}
    for link in link_values(fabric):
        links.setdefault(types.get(link.object_type_id), []).append(link)
    for type_id, label in types.items():
        _plan_model(plan, label, links, linked_ids(fabric, type_id))
    for label in MODELS:
        _plan_updates(plan, label)
    _keep_platforms_in_use(plan)
    _plan_tagged_vlans(plan)
    for label, kind, name, message in projection.errors:
        plan.models[label].errors.append((kind, name, message))
    return plan

