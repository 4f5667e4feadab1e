"""The fabric in NetBox's own inventory: a sync projects it into dcim/ipam, keeps it exact and never harms what people
made (real sync against the Kubernetes API test server, real PostgreSQL)."""
import dataclasses
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import psycopg
from core.models import ObjectChange
from dcim.models import Cable, CablePath, Device, DeviceRole, DeviceType, Interface, Manufacturer, Platform, Site
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from extras.models import Tag
from ipam.models import VLAN, VRF, IPAddress, Prefix, VLANGroup
from utilities.serialization import serialize_object

from bench.generate import generate
from bench.shapes import SIZES
from hedgehog_devtools.agents import agent_documents, put_agents
from netbox_hedgehog.inventory.mapping import MANAGED_FIELDS, project
from netbox_hedgehog.models import (
    VPC,
    Connection,
    Fabric,
    InventoryLink,
    Server,
    Switch,
    SyncRun,
    VPCAttachment,
)
from tests.cluster import FILES, GATEWAY, WIRING, ClusterTestCase

# The benchmark's tiny fabric: 1 spine (128 ports, E1/1 broken out 4x100G), 2 mixed leaves (32 ports, 16 of them
# broken out 4x25G), 24 servers on 12 ESLAG, 6 bundled and 6 unbundled connections, 2 fabric connections of 2
# links, 6 VPCs of 2 subnets in VLAN namespace zone-01, IPv4 namespace zone-01 with one subnet.
TINY = {
    'devices': 27,
    # spine 128 + 4 lanes + M1 + Loopback0; leaves 2 x (32 + 64 lanes + M1 + Loopback0); per ESLAG connection
    # 2 server ports + 3 LAGs (server, both leaves); per bundled 2 server ports + 2 LAGs; per unbundled 1 port.
    'interfaces': 134 + 2 * 98 + 12 * 5 + 6 * 4 + 6,
    'lag_members': 12 * 4 + 6 * 4,
    'cables': 4 + 12 * 2 + 6 * 2 + 6,
    # management, protocol and VTEP IPs (the spine has no VTEP) and both ends of 4 fabric links.
    'ip_addresses': 3 + 3 + 2 + 8,
    'vrfs': 6,
    'prefixes': 12 + 1,
    'vlan_groups': 2,
    'vlans': 12,
}


def inventory_counts():
    return {
        'devices': Device.objects.count(),
        'interfaces': Interface.objects.count(),
        'lag_members': Interface.objects.filter(lag__isnull=False).count(),
        'cables': Cable.objects.count(),
        'ip_addresses': IPAddress.objects.count(),
        'vrfs': VRF.objects.count(),
        'prefixes': Prefix.objects.count(),
        'vlan_groups': VLANGroup.objects.count(),
        'vlans': VLAN.objects.count(),
    }


def netbox_totals(run):
    return {action: sum(c[action] for kind, c in run.counts.items() if kind.startswith('NetBox '))
            for action in ('create', 'update', 'delete', 'error')}


@contextmanager
def counted_statements():
    """Count what the block sends to PostgreSQL: its queries and its COPYs (which Django's query capture misses).
    Yields a function returning the count so far."""
    real_copy = psycopg.Cursor.copy
    copies = []

    def count_copy(cursor, statement, *args, **kwargs):
        copies.append(statement)
        return real_copy(cursor, statement, *args, **kwargs)

    with CaptureQueriesContext(connection) as queries, mock.patch.object(psycopg.Cursor, 'copy', count_copy):
        yield lambda: len(queries) + len(copies)


class InventoryTestCase(ClusterTestCase):
    shape = SIZES['tiny']

    def setUp(self):
        super().setUp()
        self.site = Site.objects.create(name='Lab', slug='lab')
        self.objects = generate(self.shape)
        for obj in self.objects:
            self.kube.put(obj)

    def generated_fabric(self, name, shape, **fields):
        """The cluster serving only a generated fabric of `shape`, and a fabric projected into a site of its own
        (not synced yet); returns the fabric and the generated objects."""
        self.kube.clear()
        objects = generate(shape)
        for obj in objects:
            self.kube.put(obj)
        fabric = self.make_fabric(name=name, inventory_site=Site.objects.create(name=name, slug=name), **fields)
        return fabric, objects

    def synced(self, fabric, dry_run=False):
        run = self.sync(fabric, dry_run=dry_run)
        self.assertEqual(run.status, 'succeeded', run.error or run.log)
        return run


class ProjectionTest(InventoryTestCase):
    def test_fabric_projects_to_exact_counts_and_resync_writes_nothing(self):
        fabric = self.make_fabric(inventory_site=self.site)
        run = self.synced(fabric)
        self.assertEqual(inventory_counts(), TINY)
        self.assertEqual(Device.objects.filter(role__slug='server', site=self.site).count(), 24)
        self.assertEqual(Device.objects.filter(role__slug='mixed-leaf').count(), 2)
        leaf = Device.objects.get(name='leaf-0001')
        self.assertEqual(str(leaf.primary_ip4.address), '172.30.0.10/21')
        self.assertEqual(leaf.primary_ip4.assigned_object.name, 'M1')
        self.assertEqual(leaf.device_type.model, 'Celestica DS3000')
        self.assertEqual(leaf.interface_count, 98 + 12 + 3)     # and the LAGs of 12 ESLAG and 3 bundled servers
        self.assertEqual(set(IPAddress.objects.filter(assigned_object_id__in=leaf.interfaces.filter(name='Loopback0'))
                             .values_list('role', flat=True)), {'loopback', 'anycast'})
        self.assertEqual(Prefix.objects.get(prefix='10.1.0.0/26').vlan.vid, 1000)
        self.assertEqual(Prefix.objects.get(prefix='10.1.0.0/26')._depth, 0)
        self.assertEqual(Prefix.objects.get(prefix='10.1.0.0/16').status, 'container')
        self.assertEqual(netbox_totals(run)['create'], sum(c['create'] for k, c in run.counts.items()
                                                           if k.startswith('NetBox ')))
        created = ObjectChange.objects.filter(request_id=run.request_id, changed_object_type__app_label__in=('dcim',
                                                                                                           'ipam'))
        self.assertEqual(created.count(), netbox_totals(run)['create'])
        self.assertTrue(leaf.tags.filter(slug='hedgehog').exists())

        again = self.synced(fabric)
        self.assertEqual(netbox_totals(again), {'create': 0, 'update': 0, 'delete': 0, 'error': 0})
        self.assertFalse(ObjectChange.objects.filter(request_id=again.request_id).exists())
        self.assertEqual(inventory_counts(), TINY)

    def test_vpc_attachment_tags_the_vlan_on_the_switch_interfaces(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        tagged = Interface.objects.filter(device__role__slug='mixed-leaf', tagged_vlans__isnull=False).distinct()
        # The LAGs of ESLAG connections on both leaves and of bundled ones on one, the ports of unbundled ones.
        self.assertEqual(tagged.count(), 12 * 2 + 6 + 6)

    def test_tagged_vlan_changes_are_recorded_like_other_changes(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        attachment = next(o for o in self.objects if o['kind'] == 'VPCAttachment' and not o['spec'].get('nativeVLAN')
                          and 'unbundled' in next(c for c in self.objects if c['kind'] == 'Connection' and
                                                  c['metadata']['name'] == o['spec']['connection'])['spec'])
        connection_spec = Connection.objects.get(fabric=fabric, name=attachment['spec']['connection']).spec
        leaf, port = connection_spec['unbundled']['link']['switch']['port'].split('/', 1)
        interface = Interface.objects.get(device__name=leaf, name=port)
        vlans = set(interface.tagged_vlans.values_list('pk', flat=True))
        self.kube.delete('VPCAttachment', attachment['metadata']['name'])
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run), {'create': 0, 'update': 1, 'delete': 0, 'error': 0})
        change = run.changes.get(kind='dcim.interface', action='update')
        self.assertEqual(change.name, f'{leaf}/{port}')
        diff = {d['path']: d for d in change.diff}
        # The port's only attachment is gone: no VLAN tagged, no 802.1Q mode.
        self.assertEqual(set(diff), {'tagged_vlans', 'mode'})
        self.assertEqual((len(diff['tagged_vlans']['old']), diff['tagged_vlans']['new']), (1, []))
        left = set(interface.tagged_vlans.values_list('pk', flat=True))
        self.assertEqual((len(vlans), left), (1, set()))
        logged = ObjectChange.objects.get(request_id=run.request_id, changed_object_type__model='interface')
        self.assertEqual((logged.changed_object_id, logged.action), (interface.pk, 'update'))
        self.assertEqual((set(logged.prechange_data['tagged_vlans']), set(logged.postchange_data['tagged_vlans'])),
                         (vlans, left))

        self.kube.put(attachment)
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run)['update'], 1)
        self.assertEqual(set(interface.tagged_vlans.values_list('pk', flat=True)), vlans)
        logged = ObjectChange.objects.get(request_id=run.request_id, changed_object_type__model='interface')
        self.assertEqual(set(logged.postchange_data['tagged_vlans']), vlans)

    def test_netbox_cable_trace_walks_from_server_to_leaf_and_leaf_to_spine(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        user = get_user_model().objects.create_superuser('admin', 'admin@example.com', 'pw')
        self.client.force_login(user)
        unbundled = next(o for o in self.objects if o['kind'] == 'Connection' and 'unbundled' in o['spec'])
        link = unbundled['spec']['unbundled']['link']
        server, server_port = link['server']['port'].split('/', 1)
        leaf, leaf_port = link['switch']['port'].split('/', 1)
        origin = Interface.objects.get(device__name=server, name=server_port)
        response = self.client.get(f'/api/dcim/interfaces/{origin.pk}/trace/', HTTP_ACCEPT='application/json')
        self.assertEqual(response.status_code, 200)
        near, cable, far = response.json()[0]
        self.assertEqual((near[0]['device']['name'], near[0]['name']), (server, server_port))
        self.assertEqual((far[0]['device']['name'], far[0]['name']), (leaf, leaf_port))
        self.assertEqual(cable['id'], origin.cable_id)
        self.assertEqual(Cable.objects.get(pk=origin.cable_id).status, 'connected')

        uplink = Interface.objects.get(device__name='leaf-0001', name='E1/25')
        response = self.client.get(f'/api/dcim/interfaces/{uplink.pk}/trace/', HTTP_ACCEPT='application/json')
        far = response.json()[0][2]
        self.assertEqual((far[0]['device']['name'], far[0]['name']), ('spine-01', 'E1/1/1'))
        self.assertEqual(response.json()[0][0][0]['name'], 'E1/25')

    def test_deleting_a_connection_removes_its_cables_and_the_interfaces_only_it_needed(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        unbundled = next(o for o in self.objects if o['kind'] == 'Connection' and 'unbundled' in o['spec'])
        link = unbundled['spec']['unbundled']['link']
        server, server_port = link['server']['port'].split('/', 1)
        leaf, leaf_port = link['switch']['port'].split('/', 1)
        for obj in self.objects:
            if obj['kind'] == 'VPCAttachment' and obj['spec']['connection'] == unbundled['metadata']['name']:
                self.kube.delete('VPCAttachment', obj['metadata']['name'])
        self.kube.delete('Connection', unbundled['metadata']['name'])
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run)['delete'], 2)    # the cable and the server's port
        self.assertFalse(Interface.objects.filter(device__name=server, name=server_port).exists())
        port = Interface.objects.get(device__name=leaf, name=leaf_port)     # the leaf's port is its profile's
        self.assertIsNone(port.cable)
        self.assertIsNone(port.path)
        self.assertEqual(inventory_counts(), {**TINY, 'cables': TINY['cables'] - 1,
                                              'interfaces': TINY['interfaces'] - 1})
        self.assertEqual(Device.objects.get(name=server).interface_count, 0)

    def test_a_managed_field_changed_in_netbox_is_restored_and_recorded(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        Device.objects.filter(name='leaf-0001').update(description='changed by hand', comments='a person wrote this')
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run)['update'], 1)
        leaf = Device.objects.get(name='leaf-0001')
        self.assertEqual(leaf.description, 'mixed-leaf leaf-0001')
        self.assertEqual(leaf.comments, 'a person wrote this')
        change = ObjectChange.objects.get(request_id=run.request_id)
        self.assertEqual(change.prechange_data['description'], 'changed by hand')
        self.assertEqual(change.postchange_data['description'], leaf.description)

    def test_dry_run_shows_the_projection_and_writes_nothing(self):
        fabric = self.make_fabric(inventory_site=self.site)
        run = self.synced(fabric, dry_run=True)
        self.assertEqual(Device.objects.count(), 0)
        self.assertEqual(run.counts['NetBox dcim.device']['create'], 27)
        self.assertEqual(run.changes.filter(kind='dcim.device', action='create').count(), 27)
        self.assertFalse(InventoryLink.objects.exists())

    def test_no_site_projects_nothing(self):
        run = self.synced(self.make_fabric())
        self.assertEqual(inventory_counts(), dict.fromkeys(TINY, 0))
        self.assertFalse(any(kind.startswith('NetBox ') for kind in run.counts))

    def test_a_failed_read_projects_nothing(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.kube.inject(path_regex='connections', status=500, count=100)
        run = self.sync(fabric)
        self.assertEqual(run.status, 'failed')
        self.assertEqual(inventory_counts(), dict.fromkeys(TINY, 0))


class UnchangedProjectionTest(InventoryTestCase):
    """A sync whose fabric, live state and projected NetBox rows are as the last planned sync left them counts the
    projection unchanged without planning it; anything else, an edit in NetBox included, plans it in full."""
    UNCHANGED = 'NetBox inventory: unchanged'

    @staticmethod
    def netbox_counts(run):
        return {kind: counts for kind, counts in run.counts.items() if kind.startswith('NetBox ')}

    def test_an_unchanged_resync_counts_what_planning_counts_without_planning(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.assertNotIn(self.UNCHANGED, self.synced(fabric).log)
        with mock.patch('netbox_hedgehog.inventory.plan_inventory') as plan_inventory:
            skipped = self.synced(fabric)
            dry = self.synced(fabric, dry_run=True)
        plan_inventory.assert_not_called()
        self.assertIn(self.UNCHANGED, skipped.log)
        self.assertIn(self.UNCHANGED, dry.log)
        Fabric.objects.filter(pk=fabric.pk).update(inventory_digest={})
        planned = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, planned.log)
        self.assertEqual(self.netbox_counts(skipped), self.netbox_counts(planned))
        self.assertEqual(self.netbox_counts(dry), self.netbox_counts(planned))
        self.assertEqual(sum(c['unchanged'] for c in self.netbox_counts(skipped).values()),
                         InventoryLink.objects.filter(fabric=fabric).count())
        self.assertEqual(netbox_totals(skipped), {'create': 0, 'update': 0, 'delete': 0, 'error': 0})
        self.assertEqual(inventory_counts(), TINY)
        self.assertIn(self.UNCHANGED, self.synced(fabric).log)

    def test_an_edit_of_what_the_projection_reads_plans_again_and_is_restored_another_edit_is_kept(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        Interface.objects.filter(device__name='leaf-0001', name='E1/1').update(description='by hand')
        run = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, run.log)
        self.assertEqual(netbox_totals(run), {'create': 0, 'update': 1, 'delete': 0, 'error': 0})
        self.assertNotEqual(Interface.objects.get(device__name='leaf-0001', name='E1/1').description, 'by hand')
        self.assertIn(self.UNCHANGED, self.synced(fabric).log)
        # A field the projection does not read: nothing to plan, the note stays.
        Device.objects.filter(name='leaf-0001').update(comments='a person wrote this')
        run = self.synced(fabric)
        self.assertIn(self.UNCHANGED, run.log)
        self.assertEqual(Device.objects.get(name='leaf-0001').comments, 'a person wrote this')
        # A person moving an interface to a LAG of the device is planned, and undone.
        lag = Interface.objects.filter(device__name='leaf-0001', type='lag').first()
        Interface.objects.filter(device__name='leaf-0001', name='E1/2').update(lag=lag)
        run = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, run.log)
        self.assertIsNone(Interface.objects.get(device__name='leaf-0001', name='E1/2').lag)

    def test_a_deleted_object_a_changed_spec_and_a_changed_tagging_plan_again(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        links = InventoryLink.objects.filter(fabric=fabric)
        Cable.objects.get(pk=links.filter(object_type=ContentType.objects.get_for_model(Cable)).values_list(
            'object_id', flat=True)[0]).delete()
        run = self.synced(fabric)
        self.assertEqual((netbox_totals(run)['create'], inventory_counts()), (1, TINY))
        server = next(obj for obj in self.objects if obj['kind'] == 'Server')
        server['spec']['description'] = 'moved to rack 7'
        self.kube.put(server)
        run = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, run.log)
        self.assertEqual(Device.objects.get(name=server['metadata']['name']).description, 'moved to rack 7')
        self.assertIn(self.UNCHANGED, self.synced(fabric).log)
        vlans = links.filter(object_type=ContentType.objects.get_for_model(VLAN)).values('object_id')
        tagged = Interface.tagged_vlans.through.objects.filter(vlan__in=vlans)
        tagged.filter(pk=tagged.values_list('pk', flat=True)[0]).delete()
        run = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, run.log)
        self.assertGreater(netbox_totals(run)['update'], 0)

    def test_no_digest_is_kept_when_a_person_edits_a_projected_object_during_the_sync(self):
        """An edit committed after the plan read the rows is in the rows digested after the write; the change log
        shows it, so the sync keeps no digest and the next one plans, and restores the managed field."""
        from netbox_hedgehog.inventory import planner

        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        Interface.objects.filter(device__name='leaf-0001', name='E1/1').update(description='by hand')

        def plan_then_edit(*args, **kwargs):
            plan = planner.plan_inventory(*args, **kwargs)
            leaf = Device.objects.get(name='leaf-0001')
            Device.objects.filter(pk=leaf.pk).update(description='edited meanwhile')
            ObjectChange.objects.create(changed_object=leaf, object_repr=leaf.name, action='update',
                                        request_id=uuid.uuid4(), user_name='someone', prechange_data={},
                                        postchange_data={'description': 'edited meanwhile'})
            return plan

        with mock.patch('netbox_hedgehog.inventory.plan_inventory', plan_then_edit):
            run = self.synced(fabric)
        self.assertEqual(netbox_totals(run)['update'], 1)     # the interface, not the device
        self.assertEqual(Device.objects.get(name='leaf-0001').description, 'edited meanwhile')
        self.assertEqual(Fabric.objects.get(pk=fabric.pk).inventory_digest, {})
        run = self.synced(fabric)
        self.assertNotIn(self.UNCHANGED, run.log)
        self.assertEqual(Device.objects.get(name='leaf-0001').description, 'mixed-leaf leaf-0001')
        # Kept again once that edit is older than the margin before a sync's start.
        ObjectChange.objects.filter(user_name='someone').update(time=timezone.now() - timedelta(minutes=6))
        self.assertNotIn(self.UNCHANGED, self.synced(fabric).log)
        self.assertIn(self.UNCHANGED, self.synced(fabric).log)


class OwnershipTest(InventoryTestCase):
    def test_existing_device_is_adopted_and_survives_the_fabric(self):
        maker = Manufacturer.objects.create(name='Acme', slug='acme')
        leaf_type = DeviceType.objects.create(manufacturer=maker, model='Box', slug='box')
        role = DeviceRole.objects.create(name='Mine', slug='mine')
        mine = Device.objects.create(name='leaf-0001', site=self.site, device_type=leaf_type, role=role,
                                     comments='racked by hand', asset_tag='A-1')
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        self.assertEqual(Device.objects.filter(name='leaf-0001').count(), 1)
        link = InventoryLink.objects.get(fabric=fabric, key='leaf-0001', object_id=mine.pk)
        self.assertFalse(link.created)
        self.assertEqual(Device.objects.count(), TINY['devices'])

        fabric.delete()
        mine.refresh_from_db()
        self.assertEqual((mine.name, mine.comments, mine.asset_tag, mine.site), ('leaf-0001', 'racked by hand',
                                                                                  'A-1', self.site))
        self.assertEqual(Device.objects.count(), 1)
        self.assertEqual(Cable.objects.count(), 0)
        self.assertEqual(VRF.objects.count(), 0)

    def test_clearing_the_site_removes_what_was_created(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        fabric.snapshot()
        fabric.inventory_site = None
        fabric.save()
        self.assertEqual(inventory_counts(), dict.fromkeys(TINY, 0))
        self.assertFalse(InventoryLink.objects.filter(fabric=fabric).exists())

    def test_removal_keeps_what_a_person_hung_on_a_projected_object(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        port = Interface.objects.get(device__name='server-00007', name__startswith='enp')
        mine = IPAddress.objects.create(address='192.0.2.7/24', assigned_object=port, description='by hand')
        fabric.snapshot()
        fabric.inventory_site = None
        fabric.save()
        # The server and its port stay, with the person's address; everything else the projection made is gone.
        self.assertEqual(list(Device.objects.values_list('name', flat=True)), ['server-00007'])
        self.assertEqual(list(Interface.objects.values_list('pk', flat=True)), [port.pk])
        mine.refresh_from_db()
        self.assertEqual(mine.assigned_object, port)
        kept = Interface.objects.get(pk=port.pk)
        self.assertEqual((kept.cable, kept.path, kept.cable_end), (None, None, None))
        self.assertEqual(Cable.objects.count(), 0)
        self.assertFalse(InventoryLink.objects.filter(fabric=fabric).exists())

    def test_an_interface_cabled_elsewhere_blocks_only_its_link(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        uplink = Interface.objects.get(device__name='leaf-0001', name='E1/25')
        spine_port = Interface.objects.get(device__name='spine-01', name='E1/1/1')
        other = Interface.objects.get(device__name='spine-01', name='E1/100')
        Cable.objects.filter(pk=uplink.cable_id).delete()
        Cable(a_terminations=[spine_port], b_terminations=[other]).save()
        run = self.sync(fabric)
        self.assertEqual(run.status, 'partial')
        error = run.changes.get(action='error')
        self.assertIn('E1/1/1', error.message)
        self.assertIn('already has cable', error.message)
        self.assertEqual(Cable.objects.count(), TINY['cables'])


class BoundedStatementsTest(InventoryTestCase):
    def test_statements_per_sync_do_not_grow_with_the_fabric(self):
        """The initial sync and an unchanged re-sync (which compares digests instead of planning) each take the same
        statements at two sizes."""
        def measure(name, shape):
            fabric, _objects = self.generated_fabric(name, shape)
            counts = []
            for _sync in range(2):
                with counted_statements() as statements:
                    self.synced(fabric)
                counts.append(statements())
            return counts

        Tag.objects.create(name='hedgehog', slug='hedgehog')     # as after the first projection ever
        small = measure('small', self.shape)
        Fabric.objects.get(name='small').delete()     # the second fabric creates everything again
        large = measure('large', dataclasses.replace(self.shape, servers_per_rack=48, vpcs_per_rack=12))
        self.assertEqual(small, large)

    def test_removing_the_projection_takes_the_same_statements_at_two_sizes(self):
        """Clearing the inventory site deletes the projection set-based: the statements (queries and COPYs) are the
        same for the tiny fabric and one with 4 times its servers, and every deleted object has its change record."""
        def measure(name, shape):
            # Both measures start without content types cached (which tests ran before must not matter).
            ContentType.objects.clear_cache()
            fabric, _objects = self.generated_fabric(name, shape)
            created = netbox_totals(self.synced(fabric))['create']
            fabric.snapshot()
            fabric.inventory_site = None
            with counted_statements() as statements:
                fabric.save()
            self.assertEqual(inventory_counts(), dict.fromkeys(TINY, 0))
            deleted = ObjectChange.objects.filter(action='delete', changed_object_type__app_label__in=('dcim', 'ipam'))
            self.assertEqual(deleted.count(), created)
            deleted.delete()
            return statements()

        small = measure('small', self.shape)
        large = measure('large', dataclasses.replace(self.shape, servers_per_rack=48, vpcs_per_rack=12))
        self.assertEqual(small, large)

    def test_a_sync_deleting_servers_and_their_connections_takes_the_same_statements_at_two_sizes(self):
        """Servers, their connections and attachments leave the fabric: the sync deletes their devices, ports,
        LAGs and cables set-based (the same statements, queries and COPYs, at two sizes)."""
        def measure(name, shape):
            fabric, objects = self.generated_fabric(name, shape, allow_empty_kinds=True)
            self.synced(fabric)
            servers = [o for o in objects if o['kind'] == 'Server']
            for obj in objects:
                spec = obj['spec'] or {}
                if obj['kind'] in ('Server', 'VPCAttachment') or (
                        obj['kind'] == 'Connection' and next(iter(spec), '') in ('unbundled', 'bundled', 'eslag')):
                    self.kube.delete(obj['kind'], obj['metadata']['name'])
            with counted_statements() as statements:
                run = self.synced(fabric)
            self.assertEqual(run.counts['NetBox dcim.device']['delete'], len(servers))
            self.assertFalse(Device.objects.filter(site__name=name, role__slug='server').exists())
            return statements()

        Tag.objects.create(name='hedgehog', slug='hedgehog')
        ContentType.objects.get_for_model(CablePath)    # cached by the process, as after its first cable deletion
        small = measure('small', self.shape)
        Fabric.objects.get(name='small').delete()
        large = measure('large', dataclasses.replace(self.shape, servers_per_rack=48, vpcs_per_rack=12))
        self.assertEqual(small, large)

    def test_a_sync_untagging_vlans_takes_the_same_statements_at_two_sizes(self):
        """Every VPC attachment leaves the fabric: the sync removes the tagged VLANs from the switch ports (hundreds of
        memberships in the larger fabric) with the same statements, queries and COPYs, at two sizes."""
        through = Interface.tagged_vlans.through

        def measure(name, shape):
            fabric, objects = self.generated_fabric(name, shape, allow_empty_kinds=True)
            self.synced(fabric)
            tagged = through.objects.filter(interface__device__site__name=name).count()
            self.assertGreater(tagged, 0)
            for obj in objects:
                if obj['kind'] == 'VPCAttachment':
                    self.kube.delete(obj['kind'], obj['metadata']['name'])
            with counted_statements() as statements:
                self.synced(fabric)
            self.assertFalse(through.objects.filter(interface__device__site__name=name).exists())
            return tagged, statements()

        Tag.objects.create(name='hedgehog', slug='hedgehog')
        small_tagged, small = measure('small', self.shape)
        Fabric.objects.get(name='small').delete()
        large_tagged, large = measure('large', dataclasses.replace(self.shape, servers_per_rack=48, vpcs_per_rack=12,
                                                                   attachments_per_connection=3))
        self.assertGreater(large_tagged, 100)    # more than Django deletes per statement
        self.assertEqual(small, large, (small_tagged, large_tagged))


class PagesTest(InventoryTestCase):
    def setUp(self):
        super().setUp()
        self.fabric = self.make_fabric(inventory_site=self.site)
        self.synced(self.fabric)
        self.client.force_login(get_user_model().objects.create_superuser('admin', 'admin@example.com', 'pw'))

    def test_sync_run_page_counts_per_netbox_model(self):
        run = SyncRun.objects.filter(fabric=self.fabric).latest('created')
        page = self.client.get(run.get_absolute_url()).content.decode()
        self.assertIn('NetBox dcim.device', page)
        self.assertIn('dcim.cable', page)

    def test_switch_page_shows_its_port_map_with_cabled_devices_and_vpcs(self):
        switch = Switch.objects.get(fabric=self.fabric, name='leaf-0001')
        response = self.client.get(switch.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn('Port map', page)
        uplink = Interface.objects.get(device__name='leaf-0001', name='E1/25')
        spine_port = Interface.objects.get(device__name='spine-01', name='E1/1/1')
        self.assertIn(f'href="{uplink.get_absolute_url()}"', page)
        self.assertIn(f'href="{spine_port.get_absolute_url()}"', page)
        attached = VLAN.objects.filter(interfaces_as_tagged__device__name='leaf-0001').first()
        self.assertIn(f'{attached.name} ({attached.vid})', page)
        self.assertIn('breakout 4x25G', page)
        self.assertIn(f'href="{Device.objects.get(name="leaf-0001").get_absolute_url()}"', page)

    def test_server_page_shows_the_switch_ports_its_ports_reach(self):
        server = Server.objects.get(fabric=self.fabric, name='server-00007')
        page = self.client.get(server.get_absolute_url()).content.decode()
        leaf_port = Interface.objects.get(device__name='leaf-0001', name='E1/2/3')
        self.assertIn(f'href="{leaf_port.get_absolute_url()}"', page)

    def test_netbox_pages_link_their_hedgehog_object(self):
        device = Device.objects.get(name='leaf-0001')
        page = self.client.get(device.get_absolute_url()).content.decode()
        switch = Switch.objects.get(fabric=self.fabric, name='leaf-0001')
        self.assertIn(f'href="{switch.get_absolute_url()}"', page)
        self.assertIn('Created by the sync', page)
        prefix = Prefix.objects.get(prefix='10.1.0.0/26')
        page = self.client.get(prefix.get_absolute_url()).content.decode()
        self.assertIn(f'href="{VPC.objects.get(fabric=self.fabric, name="vpc-00001").get_absolute_url()}"', page)
        cable = Interface.objects.get(device__name='leaf-0001', name='E1/25').cable
        page = self.client.get(cable.get_absolute_url()).content.decode()
        self.assertIn('spine-01--fabric--leaf-0001', page)

    def test_hedgehog_pages_link_their_netbox_objects(self):
        vpc = VPC.objects.get(fabric=self.fabric, name='vpc-00001')
        page = self.client.get(vpc.get_absolute_url()).content.decode()
        for obj in (VRF.objects.get(name='vpc-00001'), Prefix.objects.get(prefix='10.1.0.0/26'),
                    VLAN.objects.get(vid=1000, group__name='zone-01')):
            self.assertIn(f'href="{obj.get_absolute_url()}"', page)

    def test_vpc_attachments_filter_by_server_and_switch(self):
        url = '/api/plugins/hedgehog/vpc-attachments/'
        by_server = self.client.get(url, {'server': 'server-00007'}, HTTP_ACCEPT='application/json').json()
        self.assertEqual(by_server['count'], 1)
        by_switch = self.client.get(url, {'switch': 'leaf-0002'}, HTTP_ACCEPT='application/json').json()
        # ESLAG connections reach both leaves; bundled and unbundled ones alternate.
        expected = VPCAttachment.objects.filter(
            connection__in=Connection.objects.filter(switches__contains=['leaf-0002']).values('name')).count()
        self.assertEqual(by_switch['count'], expected)
        self.assertGreater(expected, 0)
        page = self.client.get('/plugins/hedgehog/vpc-attachments/', {'server': 'server-00007'}).content.decode()
        self.assertIn(by_server['results'][0]['name'], page)

    def test_clearing_the_site_in_the_form_asks_for_confirmation_then_removes_what_was_created(self):
        url = f'/plugins/hedgehog/fabrics/{self.fabric.pk}/edit/'
        data = {
            'name': self.fabric.name, 'status': 'active', 'kubernetes_namespace': 'default', 'git_branch': 'main',
            'git_author_name': 'NetBox Hedgehog', 'git_author_email': 'netbox@example.com', 'sync_interval': 300,
            'verify_tls': True, 'inventory_site': '',
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('tick this box to confirm', response.content.decode())
        self.assertEqual(Device.objects.count(), TINY['devices'])
        response = self.client.post(url, {**data, 'confirm_inventory_removal': True})
        self.assertEqual(response.status_code, 302)
        self.fabric.refresh_from_db()
        self.assertIsNone(self.fabric.inventory_site)
        self.assertEqual(inventory_counts(), dict.fromkeys(TINY, 0))
        self.assertTrue(ObjectChange.objects.filter(changed_object_type__model='device', action='delete').exists())


class DemoFabricTest(ClusterTestCase):
    """The project's demo fabric, a wiring diagram as people write it: no switch profiles (the controller holds
    them), breakouts, an ESLAG pair, externals and a gateway."""

    def test_demo_fabric_with_its_gateway_projects(self):
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(GATEWAY)
        site = Site.objects.create(name='Lab', slug='lab')
        fabric = self.make_fabric(inventory_site=site)
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.log)
        self.assertEqual(Device.objects.filter(role__slug='gateway').count(), 1)
        leaf = Device.objects.get(name='leaf-01')
        # Without its profile in the fabric, the device type is named after the profile and the switch has the
        # ports its connections name, breakout lanes included.
        self.assertEqual(leaf.device_type.model, 'dell-s5248f-on')
        lane = Interface.objects.get(device=leaf, name='E1/55/1')
        self.assertEqual(lane.link_peers[0], Interface.objects.get(device__name='server-02', name='enp2s1'))
        gateway_port = Interface.objects.get(device__name='gateway-1', name='enp2s1')
        self.assertEqual(gateway_port.link_peers[0], Interface.objects.get(device__name='spine-01', name='E1/31'))
        external = Interface.objects.get(device__name='leaf-04', name='E1/47')
        self.assertIn('leaf-04--external--uplink-1', external.description)
        self.assertEqual(Device.objects.count(), Switch.objects.count() + Server.objects.count() + 1)


    def test_change_records_of_created_objects_are_netboxs_own_snapshots(self):
        """Every object the projection creates has a change record equal to what NetBox's `serialize_object` makes
        of it (the hedgehog tag, tagged VLANs of interfaces; other many-to-many fields, all empty, left out)."""
        self.maxDiff = None
        self.load_live_fabric(*FILES)
        fabric = self.make_fabric(inventory_site=Site.objects.create(name='Lab', slug='lab'))
        run = self.sync(fabric)
        logged = ObjectChange.objects.filter(request_id=run.request_id, action='create',
                                             changed_object_type__app_label__in=('dcim', 'ipam'))
        self.assertGreater(logged.count(), 200)
        for change in logged:
            instance = change.changed_object_type.get_object_for_this_type(pk=change.changed_object_id)
            expected = serialize_object(instance, exclude=['last_updated'])
            logged_data = dict(change.postchange_data)
            for name in list(expected):
                # What the database and NetBox's signals fill in after the insert (tree paths, counters), as in
                # NetBox's own change record of a new object.
                if name in ('path', 'sort_path') or name.endswith('_count'):
                    expected.pop(name)
                    logged_data.pop(name, None)
            if 'u_height' in expected:
                # The model's default is the float 1.0 until the row is read back as a Decimal.
                expected['u_height'] = float(expected['u_height'])
            with self.subTest(model=change.changed_object_type.model, object=str(instance)):
                self.assertEqual(set(expected) - set(logged_data),
                                 {f.name for f in instance._meta.many_to_many if f.serialize} - {'tagged_vlans'})
                self.assertEqual(logged_data, {k: v for k, v in expected.items() if k in logged_data})

    def test_demo_fabric_projects_to_exact_counts_of_every_model(self):
        """deploy/dev/fabric/ (wiring, gateway, VPCs, peerings and the Agents), counted by hand from the YAML."""
        self.load_live_fabric(*FILES)
        fabric = self.make_fabric(inventory_site=Site.objects.create(name='Lab', slug='lab'))
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error or run.log)
        # The switches' profiles are not in the wiring: each switch gets the ports its connections name, the lanes
        # of its breakouts, M1 and Loopback0 (every switch has a protocol IP).
        switch_ports = (
            8 * 2 * 2       # 8 fabric connections of 2 links: spine-0x/E1/1-8, leaf-0x/E1/49-52
            + 2             # ESLAG server-01: leaf-01/E1/1, leaf-02/E1/1 (server-02's E1/55/1 are breakout lanes)
            + 2 + 2         # bundled server-03: leaf-01/E1/2-3; bundled server-06: leaf-03/E1/2-3
            + 1 + 1 + 1     # unbundled server-04 (leaf-02/E1/2), -05 (leaf-03/E1/1), -08 (leaf-04/E1/1); -07: a lane
            + 2             # external uplinks leaf-04/E1/47-48
            + 2             # gateway links spine-01/E1/31, spine-02/E1/31
        )
        lanes = 3 * 4       # E1/55 of leaf-01..03 broken out 4x25G
        server_ports = 2 + 2 + 2 + 1 + 1 + 2 + 1 + 1     # server-01..08 (ESLAG, ESLAG, bundled, 3 unbundled, ...)
        gateway_ports = 2 + 1       # enp2s1, enp2s2 (its interfaces, also its connections' ends) and Loopback0
        lags = 3 + 3 + 2 + 2        # ESLAG: server + 2 leaves (x2); bundled: server + leaf (x2)
        expected = {
            'devices': 6 + 8 + 1,                     # switches, servers, gateway
            'interfaces': switch_ports + lanes + 6 + 6 + server_ports + gateway_ports + lags,    # 6 M1, 6 Loopback0
            'lag_members': 2 * 4 + 2 * 4,           # 2 links x 2 ends per ESLAG and bundled connection
            'cables': 16 + 2 * 2 + 2 * 2 + 4 + 2,   # fabric links, ESLAG, bundled, unbundled, gateway (not external)
            # Switches: 6 management, 6 protocol, 4 VTEP (leaf-01/02 share theirs: one address per interface);
            # gateway: 2 interface addresses (also its link ends), protocol and VTEP; 2 spine gateway link ends;
            # 16 fabric links x 2 ends.
            'ip_addresses': 6 + 6 + 4 + 2 + 2 + 2 + 16 * 2,
            'vrfs': 3,                              # vpc-1, vpc-2, vpc-3
            'prefixes': 1 + 1 + 2 + 1,              # VPC subnets and the IPv4 namespace's 10.20.0.0/16
            'vlan_groups': 1,                       # VLAN namespace default
            'vlans': 4,                             # 1001, 1002, 1003, 1004
        }
        self.assertEqual(expected['interfaces'], 94)
        self.assertEqual(inventory_counts(), expected)
        catalog = {
            'manufacturers': 2,     # "dell" (from the profile names dell-s52xxf-on), Hedgehog
            'device_types': 4,      # dell-s5232f-on, dell-s5248f-on, Hedgehog server, Hedgehog gateway
            'device_roles': 5,      # spine, server-leaf, border-leaf, server, gateway
            'platforms': 1,         # every agent reports NOS 4.5.0-Enterprise_Base
        }
        self.assertEqual({'manufacturers': Manufacturer.objects.count(), 'device_types': DeviceType.objects.count(),
                          'device_roles': DeviceRole.objects.count(), 'platforms': Platform.objects.count()}, catalog)
        # The hedgehog tag is on every object the projection created (nothing existed to adopt).
        created = sum(expected[k] for k in expected if k != 'lag_members') + sum(catalog.values())
        self.assertEqual(created, 218)
        self.assertEqual(Tag.objects.get(slug='hedgehog').extras_taggeditem_items.count(), created)
        self.assertEqual(netbox_totals(run)['create'], created)
        # VPC attachments: vpc-1 on server-01's ESLAG (both leaves' LAGs) and server-03's bundle (leaf-01's LAG),
        # vpc-2 on server-02's ESLAG (2 LAGs) and server-04's port, vpc-3 on server-05's port and server-06's LAG.
        self.assertEqual(Interface.tagged_vlans.through.objects.count(), 2 + 1 + 2 + 1 + 1 + 1)


class MappingTest(SimpleTestCase):
    """The mapping alone (no database): what a few Hedgehog objects become."""

    def test_addresses_and_prefixes_are_stored_canonically_and_bad_ones_reported(self):
        objects = {
            'VLANNamespace': {'default': {'ranges': [{'from': 1000, 'to': 1999}]}},
            'VPC': {'vpc-1': {'subnets': {'a': {'subnet': '10.0.0.5/24', 'vlan': 1001}, 'b': {'subnet': 'nonsense'}}}},
            'Switch': {'leaf-1': {'role': 'server-leaf', 'profile': 'p', 'ip': '172.30.0.9', 'protocolIP': 'x/32'}},
        }
        projection = project(objects, site_id=1, tenant_id=None, site_type_id=2, interface_type_id=3)
        self.assertEqual(projection.wants['ipam.prefix']['vpc-1/10.0.0.0/24'].fields['prefix'], '10.0.0.0/24')
        self.assertEqual(projection.wants['ipam.vlan']['default/1001'].fields['name'], 'vpc-1/a')
        self.assertEqual(projection.wants['ipam.ipaddress']['leaf-1/M1/172.30.0.9/32'].fields['address'],
                         '172.30.0.9/32')
        self.assertEqual(sorted(e[0] for e in projection.errors), ['ipam.ipaddress', 'ipam.prefix'])
        self.assertIn("'nonsense' is not an IP prefix", ' '.join(e[3] for e in projection.errors))
        # The switch's profile is not in the fabric: a device type named after it, no interface templates.
        self.assertEqual([w.fields['model'] for w in projection.wants['dcim.devicetype'].values()], ['p'])
        self.assertEqual(projection.wants['dcim.interfacetemplate'], {})

    def test_every_want_sets_exactly_the_managed_fields_of_its_model(self):
        objects = {}
        for obj in generate(SIZES['tiny']):
            objects.setdefault(obj['kind'], {})[obj['metadata']['name']] = obj['spec']
        live = {'leaf-0001': {'serial': 'SN1', 'nos_version': '4.5.0', 'interfaces': {'E1/1': {'admin': 'up'}}}}
        projection = project(objects, site_id=1, tenant_id=None, site_type_id=2, interface_type_id=3, live=live)
        for label, wants in projection.wants.items():
            with self.subTest(label=label):
                self.assertTrue(wants)
                self.assertEqual({frozenset(w.fields) for w in wants.values()}, {frozenset(MANAGED_FIELDS[label])})

    def test_live_description_reads_nos_port_names_back_and_keeps_its_live_part_without_a_report(self):
        profile = {'displayName': 'Acme X1', 'ports': {'E1/1': {'nos': 'Ethernet0', 'profile': 'p25'}},
                   'portProfiles': {'p25': {'speed': {'default': '25G'}}}}
        objects = {'SwitchProfile': {'x1': profile},
                   'Switch': {'leaf-1': {'role': 'server-leaf', 'profile': 'x1'},
                              'spine-1': {'role': 'spine', 'profile': 'x1'}}}
        live = {'spine-1': {'nos_version': 'SONiC-OS-4.4.0', 'interfaces': {'E1/1': {
            'admin': 'down', 'oper': 'down', 'neighbours': [{'system': 'leaf-1', 'port': 'Ethernet0'}]}}}}
        projection = project(objects, site_id=1, tenant_id=None, site_type_id=2, interface_type_id=3, live=live)
        spine_port = projection.wants['dcim.interface']['spine-1/E1/1'].fields
        self.assertEqual((spine_port['enabled'], spine_port['description']), (False, 'oper down; LLDP leaf-1/E1/1'))
        # A version that names the NOS already is not prefixed again.
        self.assertEqual([w.fields['name'] for w in projection.wants['dcim.platform'].values()], ['SONiC-OS-4.4.0'])
        # leaf-1 has no report: an existing description keeps its live part after the fabric's text, a new
        # interface gets the fabric's text, and `enabled` and the serial keep what NetBox holds.
        leaf_port = projection.wants['dcim.interface']['leaf-1/E1/1'].fields
        self.assertEqual(leaf_port['description'].given('oper up; LLDP spine-1/E1/1'), 'oper up; LLDP spine-1/E1/1')
        self.assertEqual(leaf_port['description'].given('typed by hand'), '')
        self.assertEqual((leaf_port['description'].default, leaf_port['enabled'].given(False)), ('', False))
        self.assertEqual(projection.wants['dcim.device']['leaf-1'].fields['serial'].given('S-1'), 'S-1')

    def test_a_connection_naming_an_unknown_server_is_reported_and_projects_no_cable(self):
        objects = {
            'Switch': {'leaf-1': {'role': 'server-leaf'}},
            'Connection': {'c': {'unbundled': {'link': {'server': {'port': 'ghost/eth0'},
                                                         'switch': {'port': 'leaf-1/E1/1'}}}}},
        }
        projection = project(objects, site_id=1, tenant_id=None, site_type_id=2, interface_type_id=3)
        self.assertEqual(projection.wants['dcim.cable'], {})
        self.assertEqual(projection.errors[0][:3], ('dcim.cable', 'Connection', 'c'))
        self.assertIn("'ghost'", projection.errors[0][3])


class GeneratedFabricTest(InventoryTestCase):
    """The benchmark's 1k fabric projects to the counts its objects imply (counted here from the manifests)."""
    shape = SIZES['1k']

    def expected(self):
        by_kind = {}
        for obj in self.objects:
            by_kind.setdefault(obj['kind'], []).append(obj['spec'])
        profiles = {o['metadata']['name']: o['spec'] for o in self.objects if o['kind'] == 'SwitchProfile'}
        interfaces = lag_members = cables = addresses = 0
        for switch in by_kind['Switch']:
            lanes = sum(int(mode.split('x')[0]) for mode in switch.get('portBreakouts', {}).values())
            interfaces += len(profiles[switch['profile']]['ports']) + lanes + 2      # M1 and Loopback0
            addresses += sum(1 for key in ('ip', 'protocolIP', 'vtepIP') if switch.get(key))
        for spec in by_kind['Connection']:
            (ctype, body), = spec.items()
            links = [body['link']] if 'link' in body else body.get('links', [])
            if ctype in ('external', 'staticExternal'):
                continue
            cables += len(links)
            ends = [end for link in links for end in link.values()]
            addresses += sum(1 for end in ends if end.get('ip'))
            servers = {end['port'] for link in links for role, end in link.items() if role == 'server'}
            interfaces += len(servers)
            if ctype in ('bundled', 'mclag', 'eslag'):
                devices = {end['port'].split('/')[0] for end in ends}
                interfaces += len(devices)
                lag_members += len(ends)
        subnets = [s for vpc in by_kind['VPC'] for s in vpc['subnets'].values()]
        return {
            'devices': len(by_kind['Switch']) + len(by_kind['Server']),
            'interfaces': interfaces,
            'lag_members': lag_members,
            'cables': cables,
            'ip_addresses': addresses,
            'vrfs': len(by_kind['VPC']),
            'prefixes': len(subnets) + sum(len(ns['subnets']) for ns in by_kind['IPv4Namespace']),
            'vlan_groups': len(by_kind['VLANNamespace']),
            'vlans': len({(vpc.get('vlanNamespace'), s['vlan']) for vpc in by_kind['VPC']
                          for s in vpc['subnets'].values()}),
        }

    def test_generated_fabric_projects_to_exact_counts(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        self.assertEqual(inventory_counts(), self.expected())
        again = self.synced(fabric)
        self.assertEqual(netbox_totals(again), {'create': 0, 'update': 0, 'delete': 0, 'error': 0})


class LiveInventoryTest(ClusterTestCase):
    """What the switches' agents report reaches NetBox's inventory (the demo fabric and its agents.yaml): serial
    number and platform on the device, admin state, operational state and LLDP neighbours on the interfaces."""

    def setUp(self):
        super().setUp()
        self.load_live_fabric(WIRING, GATEWAY)
        self.site = Site.objects.create(name='Lab', slug='lab')

    def synced(self, fabric):
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error or run.log)
        return run

    def put_changed_agents(self, change):
        """Store the demo Agents after `change(document)`."""
        for document in agent_documents():
            change(document)
            self.kube.put(document)

    def test_serial_platform_admin_oper_and_lldp_reach_the_devices_and_interfaces(self):
        run = self.synced(self.make_fabric(inventory_site=self.site))
        leaf = Device.objects.get(name='leaf-02')
        self.assertEqual(leaf.serial, 'CN0LEAF027Q')      # the agent's, not boot.serial
        self.assertEqual(leaf.platform.name, 'SONiC 4.5.0-Enterprise_Base')
        platform = Platform.objects.get()     # every switch runs the same NOS version
        self.assertEqual(platform.devices.count(), 6)
        self.assertTrue(platform.tags.filter(slug='hedgehog').exists())
        self.assertTrue(ObjectChange.objects.filter(request_id=run.request_id, changed_object_type__model='platform',
                                                    action='create').exists())
        self.assertIsNone(Device.objects.get(name='server-01').platform)
        down = Interface.objects.get(device=leaf, name='E1/2')
        self.assertTrue(down.enabled)
        self.assertEqual(down.description, 'oper down')
        self.assertEqual(Interface.objects.get(device__name='spine-01', name='E1/1').description,
                         'oper up; LLDP leaf-01/E1/49')
        self.assertEqual(Interface.objects.get(device__name='leaf-01', name='E1/3').description,
                         'oper up; LLDP server-05/enp2s2')
        lane = Interface.objects.get(device__name='leaf-01', name='E1/55/1')
        self.assertTrue(lane.description.startswith('oper '), lane.description)
        # The fabric's text first, then what the switch reports.
        self.assertEqual(Interface.objects.get(device__name='leaf-04', name='E1/47').description,
                         'external leaf-04--external--uplink-1; oper up; LLDP edge-router-47/xe-0/0/7')
        # A LAG is not reported by the agent: the fabric's own text only, enabled as created.
        lag = Interface.objects.get(device__name='leaf-01', name='lag-server-03--bundled--leaf-01')
        self.assertEqual((lag.enabled, lag.description), (True, 'bundled server-03--bundled--leaf-01'))

    def test_a_live_only_change_updates_only_the_live_fields_under_the_runs_request_id(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)

        def port_admin_down(document):
            if document['metadata']['name'] == 'leaf-01':
                document['status']['state']['interfaces']['E1/3'].update(admin='down', oper='down',
                                                                        lldpNeighbors=[])

        self.put_changed_agents(port_admin_down)
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run), {'create': 0, 'update': 1, 'delete': 0, 'error': 0})
        change = run.changes.get(kind='dcim.interface', action='update')
        self.assertEqual(change.name, 'leaf-01/E1/3')
        self.assertEqual({d['path']: d['new'] for d in change.diff}, {'enabled': False, 'description': 'oper down'})
        port = Interface.objects.get(device__name='leaf-01', name='E1/3')
        self.assertEqual((port.enabled, port.description), (False, 'oper down'))
        logged = ObjectChange.objects.get(request_id=run.request_id)
        self.assertEqual((logged.prechange_data['enabled'], logged.postchange_data['enabled']), (True, False))
        self.assertEqual(logged.postchange_data['description'], 'oper down')

    def test_a_heartbeat_only_change_writes_nothing_to_the_inventory(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        put_agents(self.kube, now=datetime.now(UTC) + timedelta(seconds=30))
        run = self.synced(fabric)
        self.assertEqual(netbox_totals(run), {'create': 0, 'update': 0, 'delete': 0, 'error': 0})
        self.assertFalse(ObjectChange.objects.filter(request_id=run.request_id).exists())

    def test_a_new_nos_version_moves_the_switch_to_its_platform(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)

        def upgrade(document):
            if document['metadata']['name'] == 'leaf-03':
                document['status']['state']['nos']['softwareVersion'] = '4.5.1-Enterprise_Base'

        self.put_changed_agents(upgrade)
        run = self.synced(fabric)
        self.assertEqual(Device.objects.get(name='leaf-03').platform.name, 'SONiC 4.5.1-Enterprise_Base')
        self.assertEqual(Platform.objects.count(), 2)
        self.assertEqual(run.counts['NetBox dcim.platform']['create'], 1)
        self.assertEqual({(c.kind, c.action) for c in run.changes.all()},
                         {('dcim.platform', 'create'), ('dcim.device', 'update')})

        def everyone(document):
            document['status']['state']['nos']['softwareVersion'] = '4.5.1-Enterprise_Base'

        self.put_changed_agents(everyone)
        run = self.synced(fabric)
        # The old version's platform, created by the projection and used by no device, is deleted.
        self.assertEqual(list(Platform.objects.values_list('name', flat=True)), ['SONiC 4.5.1-Enterprise_Base'])
        self.assertEqual(run.counts['NetBox dcim.platform']['delete'], 1)

        # A platform a person's own device runs is kept when no switch runs it any more, and not counted deleted.
        platform = Platform.objects.get()
        maker = Manufacturer.objects.create(name='Acme', slug='acme')
        Device.objects.create(name='lab-switch', site=self.site, platform=platform, role=DeviceRole.objects.create(
            name='Lab', slug='lab'), device_type=DeviceType.objects.create(manufacturer=maker, model='B', slug='b'))
        self.put_changed_agents(lambda document: document['status']['state']['nos'].update(
            softwareVersion='4.6.0-Enterprise_Base'))
        run = self.synced(fabric)
        self.assertTrue(Platform.objects.filter(pk=platform.pk).exists())
        self.assertEqual((run.counts['NetBox dcim.platform']['create'], run.counts['NetBox dcim.platform']['delete']),
                         (1, 0))
        self.assertFalse(run.changes.filter(kind='dcim.platform', action='delete').exists())
        self.assertFalse(InventoryLink.objects.filter(fabric=fabric, object_id=platform.pk, key__contains='4-5-1')
                         .exists())

    def test_without_live_state_the_live_fields_are_left_as_they_are(self):
        fabric = self.make_fabric(inventory_site=self.site)
        self.synced(fabric)
        Device.objects.filter(name='server-01').update(serial='SRV-BY-HAND')
        self.kube.uninstall('Agent')
        run = self.synced(fabric)
        self.assertIn('Agent: CRD not installed, no live state', run.log)
        self.assertEqual(netbox_totals(run), {'create': 0, 'update': 0, 'delete': 0, 'error': 0})
        leaf = Device.objects.get(name='leaf-02')
        self.assertEqual((leaf.serial, leaf.platform.name), ('CN0LEAF027Q', 'SONiC 4.5.0-Enterprise_Base'))
        self.assertEqual(Interface.objects.get(device=leaf, name='E1/2').description, 'oper down')
        # A serial the fabric does not know (servers have none) is never blanked.
        self.assertEqual(Device.objects.get(name='server-01').serial, 'SRV-BY-HAND')

    def test_an_adopted_switch_gets_the_reported_serial_and_keeps_its_other_fields(self):
        maker = Manufacturer.objects.create(name='Acme', slug='acme')
        box = DeviceType.objects.create(manufacturer=maker, model='Box', slug='box')
        role = DeviceRole.objects.create(name='Mine', slug='mine')
        mine = Device.objects.create(name='leaf-02', site=self.site, device_type=box, role=role, serial='OLD-LABEL',
                                     asset_tag='A-7')
        Interface.objects.create(device=mine, name='E1/9', type='other', description='patched by hand')
        self.synced(self.make_fabric(inventory_site=self.site))
        mine.refresh_from_db()
        self.assertEqual((mine.serial, mine.asset_tag, mine.platform.name),
                         ('CN0LEAF027Q', 'A-7', 'SONiC 4.5.0-Enterprise_Base'))
        # A port no connection names and no agent reports is neither adopted nor touched.
        self.assertEqual(Interface.objects.get(device=mine, name='E1/9').description, 'patched by hand')


class LiveInventoryStatementsTest(ClusterTestCase):
    def test_a_live_change_to_every_switch_and_port_takes_the_same_statements_at_two_sizes(self):
        """A NOS upgrade of every switch and every port going down, then up: the statements of the sync (queries
        and COPYs) are the same with 8 switches and with 46 switches of 48 reported ports."""
        def agent(name, version, state):
            return {'apiVersion': 'agent.githedgehog.com/v1beta1', 'kind': 'Agent',
                    'metadata': {'name': name, 'namespace': 'default'},
                    'status': {'lastHeartbeat': '2026-12-06T12:00:00Z', 'lastAppliedGen': 1, 'state': {
                        'nos': {'softwareVersion': version, 'serialNumber': f'SN-{name}'},
                        'interfaces': {f'E1/{p}/{lane}': {'admin': state, 'oper': state}
                                       for p in range(1, 13) for lane in range(1, 5)}}}}

        def put(count, version, state):
            for i in range(count):
                self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Switch',
                               'metadata': {'name': f'extra-{i:02d}', 'namespace': 'default'},
                               'spec': {'role': 'server-leaf', 'profile': 'celestica-ds3000',
                                        'portBreakouts': {f'E1/{p}': '4x25G' for p in range(1, 13)}}})
                self.kube.put(agent(f'extra-{i:02d}', version, state))
            for document in agent_documents():
                document['status']['state']['nos']['softwareVersion'] = version
                for port in document['status']['state']['interfaces'].values():
                    port.update(admin=state, oper=state)
                self.kube.put(document)

        def measured():
            with counted_statements() as statements:
                run = self.sync(fabric)
            self.assertEqual(run.status, 'succeeded', run.error)
            self.assertEqual(netbox_totals(run)['create'], 1)       # the new version's platform
            return statements()

        self.kube.install('Agent')
        self.kube.load_yaml(WIRING)
        fabric = self.make_fabric(inventory_site=Site.objects.create(name='Lab', slug='lab'))
        put(2, 'v1', 'up')
        self.sync(fabric)
        put(2, 'v2', 'down')
        small = measured()
        self.assertEqual(Interface.objects.filter(device__name='extra-01', enabled=False).count(), 48)
        put(40, 'v2', 'down')
        self.sync(fabric)
        put(40, 'v3', 'up')
        large = measured()
        self.assertEqual(Device.objects.filter(platform__name='SONiC v3').count(), 6 + 40)
        self.assertEqual(Interface.objects.filter(device__name='extra-39', enabled=True,
                                                  description__contains='oper up').count(), 48)
        self.assertEqual(small, large)
