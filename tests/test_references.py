"""Dangling references: every object whose references name no object of its fabric is marked, wherever it came from
(a sync, a NetBox edit), shown on its page and in lists, filterable in the UI, REST and GraphQL, and counted on the
fabric."""
import json

import yaml
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from users.models import User

from netbox_hedgehog.gitops.repository import GitError
from netbox_hedgehog.gitops.writer import WriteRequest, write_to_git
from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS, to_manifest
from netbox_hedgehog.models import VPC, Connection, Fabric, Switch, SwitchGroup, SwitchProfile, VPCAttachment
from netbox_hedgehog.references import refresh_dangling
from netbox_hedgehog.sync.apply_cluster import apply_object
from netbox_hedgehog.sync.errors import ClusterError
from tests.cluster import VPCS, WIRING, ClusterTestCase
from tests.specs import DS3000_03, create_fabric, create_objects, create_surroundings
from tests.test_gitops import GitOpsTestCase

GHOST = 'server-03--unbundled--leaf-09'
GHOST_ATTACHMENT = {
    'apiVersion': 'vpc.githedgehog.com/v1beta1', 'kind': 'VPCAttachment',
    'metadata': {'name': 'vpc-1--ghost', 'namespace': 'default'},
    'spec': {'subnet': 'vpc-1/default', 'connection': GHOST},
}
GHOST_MARK = f'Connection {GHOST} does not exist'
RACK_MARK = 'SwitchGroup rack-9 does not exist'


def marked(fabric):
    """{(kind, name): marks} of every object of the fabric that has any."""
    return {
        (k.kind, name): refs
        for k in KINDS
        for name, refs in k.model.objects.filter(fabric=fabric).exclude(dangling_references=[]).values_list(
            'name', 'dangling_references')
    }


class DanglingReferencesTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(VPCS)
        self.kube.put(GHOST_ATTACHMENT)
        leaf = self.kube.get('Switch', 'leaf-01')
        leaf['spec']['groups'] = [*leaf['spec']['groups'], 'rack-9']
        self.kube.put(leaf)
        self.fabric = self.make_fabric(name='lab', write_mode='cluster')
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        # The demo cluster serves no switch profiles (only the fabric controller creates them): the switches'
        # profiles are unknown, not dangling.
        self.assertFalse(Switch.objects.filter(fabric=self.fabric).exclude(name='leaf-01')
                         .exclude(dangling_references=[]).exists())

    def assert_marks(self, *expected):
        self.fabric.refresh_from_db()
        self.assertEqual(marked(self.fabric), dict(expected))
        self.assertEqual(self.fabric.dangling_count, len(expected))

    def test_a_sync_marks_what_does_not_resolve_and_clears_it_once_it_does(self):
        self.assert_marks((('VPCAttachment', 'vpc-1--ghost'), [GHOST_MARK]), (('Switch', 'leaf-01'), [RACK_MARK]))
        self.kube.put({
            'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Connection',
            'metadata': {'name': GHOST, 'namespace': 'default'},
            'spec': {'unbundled': {'link': {'server': {'port': 'server-03/enp2s9'},
                                            'switch': {'port': 'leaf-01/E1/9'}}}},
        })
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'SwitchGroup',
                       'metadata': {'name': 'rack-9', 'namespace': 'default'}, 'spec': {}})
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assert_marks()
        # The cluster loses the group again: the next sync marks the switch again.
        self.kube.delete('SwitchGroup', 'rack-9')
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        self.assert_marks((('Switch', 'leaf-01'), [RACK_MARK]))

    def committed(self, method, url, data=None):
        """A request whose transaction commits (the marks are recomputed then)."""
        with self.captureOnCommitCallbacks(execute=True):
            return getattr(self.client, method)(url, *([data] if data else []), content_type='application/json')

    def test_a_netbox_edit_creating_renaming_or_deleting_the_named_object_updates_the_marks(self):
        rack = (('Switch', 'leaf-01'), [RACK_MARK])
        ghost = (('VPCAttachment', 'vpc-1--ghost'), [GHOST_MARK])
        api = reverse('plugins-api:netbox_hedgehog-api:switchgroup-list')
        response = self.committed('post', api, {'fabric': self.fabric.pk, 'name': 'rack-9', 'spec': {}})
        self.assertEqual(response.status_code, 201, response.content)
        self.assert_marks(ghost)
        group = SwitchGroup.objects.get(fabric=self.fabric, name='rack-9')
        detail = reverse('plugins-api:netbox_hedgehog-api:switchgroup-detail', args=[group.pk])
        response = self.committed('patch', detail, {'name': 'rack-10'})
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks(ghost, rack)
        response = self.committed('patch', detail, {'name': 'rack-9'})
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks(ghost)
        response = self.committed('delete', detail)
        self.assertEqual(response.status_code, 204, response.content)
        self.assert_marks(ghost, rack)

    def test_marks_are_shown_and_filterable_in_the_ui(self):
        ghost = VPCAttachment.objects.get(fabric=self.fabric, name='vpc-1--ghost')
        page = self.client.get(ghost.get_absolute_url())
        self.assertContains(page, 'Dangling references')
        self.assertContains(page, GHOST_MARK)
        clean = VPCAttachment.objects.get(fabric=self.fabric, name='vpc-2--server-04--unbundled--leaf-02')
        self.assertNotContains(self.client.get(clean.get_absolute_url()), 'does not exist')

        listing = reverse('plugins:netbox_hedgehog:vpcattachment_list')
        every = self.client.get(listing)
        self.assertContains(every, GHOST_MARK)
        self.assertContains(every, 'vpc-2--server-04--unbundled--leaf-02')
        dangling = self.client.get(listing, {'has_dangling_references': 'true'})
        self.assertContains(dangling, 'vpc-1--ghost')
        self.assertNotContains(dangling, 'vpc-2--server-04--unbundled--leaf-02')
        resolving = self.client.get(listing, {'has_dangling_references': 'false'})
        self.assertNotContains(resolving, 'vpc-1--ghost')
        self.assertContains(resolving, 'vpc-2--server-04--unbundled--leaf-02')
        # The filter form offers the filter.
        self.assertContains(every, 'name="has_dangling_references"')

        page = self.client.get(self.fabric.get_absolute_url())
        self.fabric.refresh_from_db()
        self.assertContains(page, '2 objects have a reference that names no object')
        self.assertContains(
            page, f'href="{listing}?fabric_id={self.fabric.pk}&amp;has_dangling_references=true">VPC Attachments '
                  f'<strong>1</strong></a>', html=False)

    def test_marks_are_in_rest_and_graphql(self):
        url = reverse('plugins-api:netbox_hedgehog-api:vpcattachment-list')
        response = self.client.get(url, {'has_dangling_references': 'true', 'fabric_id': self.fabric.pk})
        self.assertEqual([(o['name'], o['dangling_references']) for o in response.json()['results']],
                         [('vpc-1--ghost', [GHOST_MARK])])
        response = self.client.get(url, {'has_dangling_references': 'false', 'fabric_id': self.fabric.pk})
        self.assertEqual(response.json()['count'], 4)
        response = self.client.get(url, {'dangling_references': GHOST_MARK})
        self.assertEqual([o['name'] for o in response.json()['results']], ['vpc-1--ghost'])
        fabric = self.client.get(reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[self.fabric.pk]))
        self.assertEqual(fabric.json()['dangling_count'], 2)

        query = (f'{{ hedgehog_vpc_attachment_list(filters: {{dangling_references: {{overlap: ["{GHOST_MARK}"]}}}}) '
                 f'{{ name dangling_references }} }}')
        response = self.client.post('/graphql/', json.dumps({'query': query}), content_type='application/json')
        self.assertEqual(response.json(), {'data': {'hedgehog_vpc_attachment_list': [
            {'name': 'vpc-1--ghost', 'dangling_references': [GHOST_MARK]},
        ]}})
        query = '{ hedgehog_vpc_attachment_list(filters: {dangling_references: {length: 0}}) { name } }'
        response = self.client.post('/graphql/', json.dumps({'query': query}), content_type='application/json')
        self.assertEqual(len(response.json()['data']['hedgehog_vpc_attachment_list']), 4)

    def test_objects_with_dangling_references_are_never_refused_by_a_sync(self):
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertFalse(run.changes.filter(action='error').exists())
        self.assertTrue(VPCAttachment.objects.filter(fabric=self.fabric, name='vpc-1--ghost').exists())
        self.assertTrue(Switch.objects.filter(fabric=self.fabric, name='leaf-01').exists())
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).sync_status, 'synced')

    def test_switch_profiles_count_once_the_cluster_serves_them(self):
        leaf = Switch.objects.get(fabric=self.fabric, name='leaf-01')
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'SwitchProfile',
                       'metadata': {'name': leaf.profile, 'namespace': 'default'}, 'spec': {'displayName': 'x'}})
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        others = {
            ('Switch', name): [f'SwitchProfile {profile} does not exist']
            for name, profile in Switch.objects.filter(fabric=self.fabric).exclude(profile=leaf.profile)
            .values_list('name', 'profile')
        }
        self.assertTrue(others)
        # The profile offers no port: the connections to a switch of it are marked for the ports they name there.
        leaves = set(Switch.objects.filter(fabric=self.fabric, profile=leaf.profile).values_list('name', flat=True))
        marks = marked(self.fabric)
        ports = {key: refs for key, refs in marks.items() if key[0] == 'Connection'}
        self.assertEqual(ports[('Connection', 'server-03--bundled--leaf-01')], [
            f'Port leaf-01/E1/2 is not a port of SwitchProfile {leaf.profile}',
            f'Port leaf-01/E1/3 is not a port of SwitchProfile {leaf.profile}'])
        for refs in ports.values():
            for ref in refs:
                self.assertRegex(ref, rf'^Port ({"|".join(leaves)})/E1/\S+ is not a port of SwitchProfile '
                                      rf'{leaf.profile}$')
        self.assertEqual({key: refs for key, refs in marks.items() if key[0] != 'Connection'}, {
            ('VPCAttachment', 'vpc-1--ghost'): [GHOST_MARK], ('Switch', 'leaf-01'): [RACK_MARK], **others})
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.dangling_count, len(marks))

    def test_a_sync_recomputes_the_marks_its_changes_can_move_and_leaves_them_as_a_full_recomputation_would(self):
        """Objects changed in place keep their names: the sync recomputes their own marks, and for a changed switch
        those of the connections naming it (their ports are judged against its profile)."""
        leaf = Switch.objects.get(fabric=self.fabric, name='leaf-01')
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'SwitchProfile',
                       'metadata': {'name': leaf.profile, 'namespace': 'default'}, 'spec': {'displayName': 'x'}})
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        self.assertIn(('Connection', 'server-03--bundled--leaf-01'), marked(self.fabric))
        attachment = self.kube.get('VPCAttachment', 'vpc-1--ghost')
        attachment['spec']['connection'] = 'server-03--bundled--leaf-01'
        self.kube.put(attachment)
        leaf02 = self.kube.get('Switch', 'leaf-02')
        leaf02['spec']['groups'] = [*leaf02['spec'].get('groups', []), 'rack-8']
        self.kube.put(leaf02)
        leaf01 = self.kube.get('Switch', 'leaf-01')
        leaf01['spec']['profile'] = 'celestica-ds9000'
        self.kube.put(leaf01)
        run = self.sync(self.fabric)
        self.assertEqual((run.status, run.total('create'), run.total('update'), run.total('delete')),
                         ('succeeded', 0, 3, 0), run.error)
        marks = marked(self.fabric)
        self.assertNotIn(('VPCAttachment', 'vpc-1--ghost'), marks)
        self.assertIn('SwitchGroup rack-8 does not exist', marks[('Switch', 'leaf-02')])
        self.assertEqual(marks[('Switch', 'leaf-01')], [RACK_MARK, 'SwitchProfile celestica-ds9000 does not exist'])
        # leaf-01's profile is not the fabric's: its ports are no longer judged.
        self.assertFalse([ref for key, refs in marks.items() if key[0] == 'Connection' for ref in refs
                          if ref.startswith('Port leaf-01/')])
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.dangling_count, len(marks))
        refresh_dangling(self.fabric.pk)
        self.assertEqual(marked(self.fabric), marks)

    def test_objects_that_appear_or_go_move_the_marks_of_the_objects_naming_them_as_a_full_recomputation_would(self):
        """The sync recomputes the rows naming what appeared or went, not every row of the kinds that can name it."""
        leaf = Switch.objects.get(fabric=self.fabric, name='leaf-01')
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'SwitchProfile',
                       'metadata': {'name': leaf.profile, 'namespace': 'default'}, 'spec': {'displayName': 'x'}})
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        before = marked(self.fabric)
        naming_leaf02 = sorted(Connection.objects.filter(fabric=self.fabric, switches__contains=['leaf-02'])
                               .values_list('name', flat=True))
        self.assertTrue(naming_leaf02)
        self.assertTrue([ref for key, refs in before.items() if key[0] == 'Connection' for ref in refs
                         if ref.startswith('Port leaf-02/')])
        self.kube.delete('Switch', 'leaf-02')
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'SwitchGroup',
                       'metadata': {'name': 'rack-9', 'namespace': 'default'}, 'spec': {}})
        run = self.sync(self.fabric)
        self.assertEqual((run.status, run.total('create'), run.total('update'), run.total('delete')),
                         ('succeeded', 1, 0, 1), run.error)
        marks = marked(self.fabric)
        # rack-9 exists now: leaf-01 names no missing group.
        self.assertNotIn(RACK_MARK, marks.get(('Switch', 'leaf-01'), []))
        # The connections to leaf-02 name a switch that went; their ports there are no longer judged.
        for name in naming_leaf02:
            self.assertIn('Switch leaf-02 does not exist', marks[('Connection', name)])
        self.assertFalse([ref for key, refs in marks.items() if key[0] == 'Connection' for ref in refs
                          if ref.startswith('Port leaf-02/')])
        # Rows naming neither kept their marks.
        self.assertEqual({key: refs for key, refs in marks.items() if key != ('Switch', 'leaf-01')
                          and not (key[0] == 'Connection' and key[1] in naming_leaf02)},
                         {key: refs for key, refs in before.items() if key != ('Switch', 'leaf-01')
                          and not (key[0] == 'Connection' and key[1] in naming_leaf02)})
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.dangling_count, len(marks))
        refresh_dangling(self.fabric.pk)
        self.assertEqual(marked(self.fabric), marks)


ATTACHMENT_SPEC = {'subnet': 'vpc-01/default', 'connection': 'server-5--unbundled--ds3000-03'}


def unbundled(port, server='server-8'):
    """An unbundled Connection of `server` to the switch port `port` ("<switch>/<port>")."""
    return {'unbundled': {'link': {'server': {'port': f'{server}/enp2s2'}, 'switch': {'port': port}}}}


@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class SpanningRulesTest(TestCase):
    """The admission rules that span objects, judged with the fabric's other objects wherever NetBox accepts a
    change (objects from tests/specs.py: namespaces, switches, connections, VPCs ...)."""

    def setUp(self):
        super().setUp()
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        self.fabric = create_fabric('rules')
        create_surroundings(self.fabric)

    def api(self, method, slug, data, pk=None):
        url = f'/api/plugins/hedgehog/{slug}/' + (f'{pk}/' if pk else '')
        return getattr(self.client, method)(url, json.dumps(data), content_type='application/json')

    def test_rest_create_update_and_partial_update(self):
        response = self.api('post', 'vpc-attachments', {'fabric': self.fabric.pk, 'name': 'a-1', 'spec': {
            **ATTACHMENT_SPEC, 'connection': 'server-9--unbundled--ds3000-03'}})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'spec': [
            'Refused by the fabric\'s admission rules: spec.connection = "server-9--unbundled--ds3000-03": connection '
            'server-9--unbundled--ds3000-03 not found']})
        response = self.api('post', 'vpc-attachments', {'fabric': self.fabric.pk, 'name': 'a-1', 'spec': {
            **ATTACHMENT_SPEC, 'subnet': 'vpc-01/web'}})
        self.assertIn('subnet web not found in vpc vpc-01', response.json()['spec'][0])
        response = self.api('post', 'vpc-attachments', {'fabric': self.fabric.pk, 'name': 'a-1',
                                                        'spec': ATTACHMENT_SPEC})
        self.assertEqual(response.status_code, 201, response.content)

        vpc = VPC.objects.get(fabric=self.fabric, name='vpc-03')
        response = self.api('patch', 'vpcs', {'spec': {'subnets': {'default': {'subnet': '10.0.3.0/24',
                                                                              'vlan': 3500}}}}, vpc.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("spec.subnets.default.vlan = 3500: vpc subnet vlan doesn't belong to the VLANNamespace default",
                      response.json()['spec'][0])
        response = self.api('put', 'vpcs', {'fabric': self.fabric.pk, 'name': 'vpc-03', 'spec': {
            'subnets': {'default': {'subnet': '10.0.1.0/24', 'vlan': 1003}}}}, vpc.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn('overlaps with subnet 10.0.1.0/24 of VPC vpc-01', response.json()['spec'][0])
        response = self.api('patch', 'vpcs', {'spec': {'subnets': {'default': {'subnet': '10.0.3.0/24',
                                                                              'vlan': 1001}}}}, vpc.pk)
        self.assertIn('vlan 1001 is already used by other VPC (vpc-01)', response.json()['spec'][0])
        response = self.api('patch', 'switches', {'spec': {**DS3000_03, 'vlanNamespaces': ['tenant']}},
                            Switch.objects.get(fabric=self.fabric, name='ds3000-03').pk)
        self.assertIn('specified VLANNamespace tenant does not exist', response.json()['spec'][0])
        vpc.refresh_from_db()
        self.assertEqual(vpc.vlans, [1003], 'nothing of a refused change is stored')

    def test_rest_refuses_a_port_the_switch_profile_does_not_offer(self):
        """ds3000-03 (celestica-ds3000) breaks out E1/1 and E1/11 only: E1/2 is one 100G port, E1/34 does not exist."""
        response = self.api('post', 'connections', {'fabric': self.fabric.pk, 'name': 'server-8--unbundled--2',
                                                    'spec': unbundled('ds3000-03/E1/2/2')})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'spec': [
            'Refused by the fabric\'s admission rules: spec.unbundled.link.switch.port = "ds3000-03/E1/2/2": port '
            'ds3000-03/E1/2/2 is not allowed for switch ds3000-03']})
        self.assertFalse(Connection.objects.filter(fabric=self.fabric, name='server-8--unbundled--2').exists())
        existing = Connection.objects.get(fabric=self.fabric, name='server-4--unbundled--ds3000-03')
        response = self.api('patch', 'connections', {'spec': {'unbundled': {'link': {
            'server': {'port': 'server-4/enp2s1'}, 'switch': {'port': 'ds3000-03/E1/34'}}}}}, existing.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn('spec.unbundled.link.switch.port = "ds3000-03/E1/34": port ds3000-03/E1/34 is not allowed for '
                      'switch ds3000-03', response.json()['spec'][0])
        existing.refresh_from_db()
        self.assertEqual(existing.spec['unbundled']['link']['switch']['port'], 'ds3000-03/E1/1/2')
        response = self.api('post', 'connections', {'fabric': self.fabric.pk, 'name': 'server-8--unbundled--2',
                                                    'spec': unbundled('ds3000-03/E1/2')})
        self.assertEqual(response.status_code, 201, response.content)

    def test_the_rules_see_the_fabric_not_others(self):
        other = create_fabric('elsewhere')
        response = self.api('post', 'vpc-attachments', {'fabric': other.pk, 'name': 'a-1', 'spec': ATTACHMENT_SPEC})
        self.assertEqual(response.status_code, 400)
        self.assertIn('vpc vpc-01 not found', response.json()['spec'][0])

    def test_form_shows_the_refusal(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_add'), {
            'fabric': self.fabric.pk, 'name': 'vpc-9',
            'spec': yaml.safe_dump({'subnets': {'default': {'subnet': '192.168.9.0/24', 'vlan': 1900}}}),
            'labels': '{}', 'annotations': '{}',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'spec.subnets.default.subnet = &quot;192.168.9.0/24&quot;: vpc subnet '
                                      'doesn&#x27;t belong to the IPv4Namespace default')
        self.assertFalse(VPC.objects.filter(name='vpc-9').exists())

    def test_bulk_import_judges_each_record_with_those_before_it(self):
        records = [
            {'fabric': 'rules', 'name': 'vpc-a', 'spec': {'subnets': {'default': {'subnet': '10.0.50.0/24',
                                                                                 'vlan': 1500}}}},
            {'fabric': 'rules', 'name': 'vpc-b', 'spec': {'subnets': {'default': {'subnet': '10.0.50.128/25',
                                                                                 'vlan': 1501}}}},
        ]
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_bulk_import'), {
            'data': yaml.safe_dump(records), 'format': 'yaml', 'csv_delimiter': ',',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'overlaps with subnet 10.0.50.0/24 of VPC vpc-a')
        self.assertFalse(VPC.objects.filter(name__in=['vpc-a', 'vpc-b']).exists(), 'nothing is imported')

    def test_bulk_edit_judges_each_object(self):
        attachment = VPCAttachment.objects.create(fabric=self.fabric, name='a-1', spec=ATTACHMENT_SPEC)
        Connection.objects.get(fabric=self.fabric, name=ATTACHMENT_SPEC['connection']).delete()
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpcattachment_bulk_edit'), {
            'pk': [attachment.pk], '_apply': '1', 'description': 'x',
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'connection server-5--unbundled--ds3000-03 not found')

    def test_the_world_is_loaded_with_a_fixed_number_of_queries(self):
        def create(name, octet):
            with CaptureQueriesContext(connection) as queries:
                response = self.api('post', 'vpcs', {'fabric': self.fabric.pk, 'name': name, 'spec': {
                    'subnets': {'default': {'subnet': f'10.0.{octet}.0/24', 'vlan': 1000 + octet}}}})
            self.assertEqual(response.status_code, 201, response.content)
            return len(queries)

        few = create('vpc-x', 60)
        create_objects(VPC, self.fabric, [(f'bulk-{i}', {'subnets': {'default': {
            'subnet': f'10.0.{100 + i}.0/24', 'vlan': 1100 + i}}}) for i in range(40)])
        self.assertEqual(create('vpc-y', 61), few)

    def test_cluster_apply_judges_with_the_fabric(self):
        attachment = VPCAttachment.objects.create(fabric=self.fabric, name='a-1', spec={
            **ATTACHMENT_SPEC, 'connection': 'server-9--unbundled--ds3000-03'})
        with self.assertRaises(ClusterError) as raised:
            apply_object(attachment)
        message = ('VPCAttachment a-1 is refused by the fabric\'s admission rules (spec.connection = '
                   '"server-9--unbundled--ds3000-03": connection server-9--unbundled--ds3000-03 not found); the '
                   'cluster was not changed.')
        self.assertEqual(str(raised.exception), message)
        attachment.refresh_from_db()
        self.assertEqual(attachment.apply_error, message)


BAD_PORT = 'server-8--unbundled--ds3000-03-99'
PORT_MARK = 'Port ds3000-03/E1/99 is not a port of SwitchProfile celestica-ds3000'


@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class PortMarksTest(TestCase):
    """A connection naming a switch port that the switch's profile (celestica-ds3000: E1/1 to E1/33, lanes for the
    switch's breakouts) does not offer is marked; read from the cluster, it is never refused."""

    def setUp(self):
        super().setUp()
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        self.fabric = create_fabric('ports')
        with self.captureOnCommitCallbacks(execute=True):
            create_surroundings(self.fabric)
        self.assertEqual(marked(self.fabric), {}, 'every port the surroundings name is one their profiles offer')
        with self.captureOnCommitCallbacks(execute=True):
            # As a sync leaves an object read from the cluster: not judged by the admission rules.
            self.bad, = create_objects(Connection, self.fabric, [(BAD_PORT, unbundled('ds3000-03/E1/99'))])

    def committed(self, method, url, data=None):
        """A REST request whose transaction commits (the marks are recomputed then)."""
        with self.captureOnCommitCallbacks(execute=True):
            return getattr(self.client, method)(url, json.dumps(data), content_type='application/json')

    def assert_marks(self, expected):
        self.fabric.refresh_from_db()
        self.assertEqual(marked(self.fabric), expected)
        self.assertEqual(self.fabric.dangling_count, len(expected))

    def test_a_port_the_profile_does_not_offer_is_marked_shown_filtered_and_counted(self):
        self.assert_marks({('Connection', BAD_PORT): [PORT_MARK]})
        self.assertContains(self.client.get(self.bad.get_absolute_url()), PORT_MARK)
        listing = reverse('plugins:netbox_hedgehog:connection_list')
        dangling = self.client.get(listing, {'has_dangling_references': 'true', 'fabric_id': self.fabric.pk})
        self.assertContains(dangling, BAD_PORT)
        self.assertContains(dangling, PORT_MARK)
        self.assertNotContains(dangling, 'server-4--unbundled--ds3000-03')
        response = self.client.get(reverse('plugins-api:netbox_hedgehog-api:connection-list'),
                                   {'dangling_references': PORT_MARK})
        self.assertEqual([o['name'] for o in response.json()['results']], [BAD_PORT])
        self.assertContains(self.client.get(self.fabric.get_absolute_url()),
                            '1 object has a reference that names no object')

    def test_breakout_lanes_follow_the_switch_breakouts(self):
        """ds3000-03 breaks out E1/11 (4x10G) but not E1/2: E1/11/4 is a port, E1/2/2 is not."""
        with self.captureOnCommitCallbacks(execute=True):
            create_objects(Connection, self.fabric, [
                ('server-7--unbundled--lane', unbundled('ds3000-03/E1/2/2', 'server-7')),
                ('server-6--unbundled--lane', unbundled('ds3000-03/E1/11/4', 'server-6')),
            ])
        self.assert_marks({
            ('Connection', BAD_PORT): [PORT_MARK],
            ('Connection', 'server-7--unbundled--lane'): [
                'Port ds3000-03/E1/2/2 is not a port of SwitchProfile celestica-ds3000'],
        })

    def test_a_breakout_the_profile_does_not_have_marks_the_connections_of_the_switch(self):
        switch = Switch.objects.get(fabric=self.fabric, name='ds3000-03')
        with self.captureOnCommitCallbacks(execute=True):
            switch.spec = {**DS3000_03, 'portBreakouts': {**DS3000_03['portBreakouts'], 'E1/2': '8x10G'}}
            switch.save()
        marks = marked(self.fabric)
        self.assertEqual(marks[('Connection', 'server-4--unbundled--ds3000-03')], [
            'Ports of switch ds3000-03 cannot be judged against SwitchProfile celestica-ds3000: port "E1/2" has a '
            'breakout "8x10G" not supported by profile "QSFP28-100G"'])
        self.assertNotIn(('Connection', 'server-1--eslag--ds3000-01--ds3000-02'), marks)

    def test_fixing_the_connection_clears_the_mark(self):
        url = reverse('plugins-api:netbox_hedgehog-api:connection-detail', args=[self.bad.pk])
        response = self.committed('patch', url, {'spec': unbundled('ds3000-03/E1/2')})
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks({})

    def test_a_profile_change_recomputes_the_marks_of_the_connections(self):
        profile = SwitchProfile.objects.get(fabric=self.fabric, name='celestica-ds3000')
        original = profile.spec
        with self.captureOnCommitCallbacks(execute=True):
            profile.spec = {**original, 'ports': {**original['ports'], 'E1/99': {'nos': 'Ethernet200'}}}
            profile.save()
        self.assert_marks({})
        with self.captureOnCommitCallbacks(execute=True):
            profile.spec = original
            profile.save()
        self.assert_marks({('Connection', BAD_PORT): [PORT_MARK]})

    def test_a_switch_change_recomputes_the_marks_of_the_connections(self):
        """Without its E1/1 breakout, ds3000-03's E1/1 is one port (the profile's default 1x100G): the connections
        to its lanes E1/1/2 to E1/1/4 are marked."""
        switch = Switch.objects.get(fabric=self.fabric, name='ds3000-03')
        url = reverse('plugins-api:netbox_hedgehog-api:switch-detail', args=[switch.pk])
        response = self.committed('patch', url, {'spec': {**DS3000_03, 'portBreakouts': {'E1/11': '4x10G'}}})
        self.assertEqual(response.status_code, 200, response.content)
        lanes = {name: marks for (kind, name), marks in marked(self.fabric).items() if name != BAD_PORT}
        self.assertEqual(lanes['server-4--unbundled--ds3000-03'],
                         ['Port ds3000-03/E1/1/2 is not a port of SwitchProfile celestica-ds3000'])
        self.assertEqual(lanes['ds3000-03--external--ds2000-02'],
                         ['Port ds3000-03/E1/1/4 is not a port of SwitchProfile celestica-ds3000'])
        response = self.committed('patch', url, {'spec': DS3000_03})
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks({('Connection', BAD_PORT): [PORT_MARK]})

    def test_a_profile_absent_from_the_fabric_marks_nothing_for_ports(self):
        with self.captureOnCommitCallbacks(execute=True):
            create_objects(Switch, self.fabric, [('ds9000-01', {**DS3000_03, 'profile': 'celestica-ds9000'})])
            create_objects(Connection, self.fabric, [('server-8--unbundled--ds9000-01',
                                                      unbundled('ds9000-01/E1/99'))])
        self.assert_marks({('Connection', BAD_PORT): [PORT_MARK],
                           ('Switch', 'ds9000-01'): ['SwitchProfile celestica-ds9000 does not exist']})


@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class MarksPerTransactionTest(TestCase):
    def test_a_bulk_edit_recomputes_the_marks_once(self):
        """A bulk edit of 5 or 20 switch groups (which switches name) recomputes the switches' marks and the fabric's
        count once: two statements."""
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        fabric = create_fabric('bulk')
        with self.captureOnCommitCallbacks(execute=True):
            groups = create_objects(SwitchGroup, fabric, [(f'group-{i}', {}) for i in range(20)])
            create_objects(Switch, fabric, [('leaf-1', {'role': 'server-leaf', 'groups': ['group-0', 'rack-9']})])
        Switch.objects.filter(fabric=fabric).update(dangling_references=[])

        def bulk_edit(count):
            with CaptureQueriesContext(connection) as queries, self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(reverse('plugins:netbox_hedgehog:switchgroup_bulk_edit'), {
                    'pk': [g.pk for g in groups[:count]], '_apply': '1', 'set_labels': f'edited={count}',
                })
            self.assertEqual(response.status_code, 302, response.content)
            self.assertEqual(SwitchGroup.objects.filter(fabric=fabric, labels__edited=str(count)).count(), count)
            return [q['sql'] for q in queries.captured_queries
                    if 'SET dangling_references' in q['sql'] or 'SET dangling_count' in q['sql']]

        few, many = bulk_edit(5), bulk_edit(20)
        self.assertEqual(len(few), 2, few)
        self.assertEqual(len(many), len(few), many)
        fabric.refresh_from_db()
        self.assertEqual(fabric.dangling_count, 1)
        self.assertEqual(Switch.objects.get(fabric=fabric, name='leaf-1').dangling_references,
                         ['SwitchGroup rack-9 does not exist'])


@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class CommittedEditMarksTest(TransactionTestCase):
    """Committed for real (as in production, the marks are recomputed when the view's transaction commits): what a
    REST answer or an edit form's result shows is the object's marks after the edit."""

    def setUp(self):
        super().setUp()
        self.client.force_login(User.objects.create_user(username='admin', is_superuser=True))
        self.fabric = create_fabric('committed')
        create_surroundings(self.fabric)
        self.bad, = create_objects(Connection, self.fabric, [(BAD_PORT, unbundled('ds3000-03/E1/99'))])
        self.assertEqual(Connection.objects.get(pk=self.bad.pk).dangling_references, [PORT_MARK])

    def test_the_rest_answer_shows_the_objects_own_marks(self):
        response = self.client.patch(reverse('plugins-api:netbox_hedgehog-api:connection-detail', args=[self.bad.pk]),
                                     json.dumps({'spec': unbundled('ds3000-03/E1/2')}),
                                     content_type='application/json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()['dangling_references'], [])
        self.assertEqual(Connection.objects.get(pk=self.bad.pk).dangling_references, [])

    def test_the_edit_form_result_shows_the_objects_own_marks(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:connection_edit', args=[self.bad.pk]), {
            'fabric': self.fabric.pk, 'name': BAD_PORT, 'spec': yaml.safe_dump(unbundled('ds3000-03/E1/2')),
            'labels': '{}', 'annotations': '{}',
        }, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, BAD_PORT)
        self.assertNotContains(response, PORT_MARK)
        self.assertEqual(Connection.objects.get(pk=self.bad.pk).dangling_references, [])


class GitSpanningRulesTest(GitOpsTestCase):
    def test_a_git_document_naming_what_neither_git_nor_the_cluster_holds_is_an_error_of_its_file(self):
        document = ('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPCAttachment\nmetadata:\n  name: vpc-1--ghost\n'
                    f'spec:\n  connection: {GHOST}\n  subnet: vpc-1/default\n')
        self.repo.commit({'env-1/ghost.yaml': document}, 'Attach a connection nobody has')
        fabric = self.git_fabric()
        run = self.sync(fabric)
        self.assertEqual(run.status, 'partial', run.error)
        errors = [c.message for c in run.changes.filter(action='error', git_file='env-1/ghost.yaml')]
        self.assertEqual(errors, [
            f"env-1/ghost.yaml, document 1 (line 1) 'vpc-1--ghost': refused by the VPCAttachment admission rules: "
            f'spec.connection = "{GHOST}": connection {GHOST} not found'])
        self.assertFalse(VPCAttachment.objects.filter(fabric=fabric, name='vpc-1--ghost').exists())
        # The other documents name the cluster's wiring (not in the repository) and Git's own VPCs: they load.
        self.assertEqual(VPCAttachment.objects.filter(fabric=fabric).exclude(git_file='').count(), 6)

    def test_a_git_write_is_judged_with_the_fabric(self):
        fabric = self.git_fabric()
        self.synced(fabric)
        head = self.repo.head()
        manifest = to_manifest(KIND_BY_NAME['VPCAttachment'], 'vpc-1--ghost', {'subnet': 'vpc-1/default',
                                                                               'connection': GHOST})
        with self.assertRaises(GitError) as raised:
            write_to_git(fabric, WriteRequest('create', 'VPCAttachment', 'vpc-1--ghost', manifest, '', '', 'alice'))
        self.assertIn(f'connection {GHOST} not found); nothing was committed.', str(raised.exception))
        self.assertEqual(self.repo.head(), head)
