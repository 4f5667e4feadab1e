"""Dangling references: every object whose references name no object of its fabric is marked, wherever it came from
(a sync, a NetBox edit), shown on its page and in lists, filterable in the UI, REST and GraphQL, and counted on the
fabric."""
import json

from django.urls import reverse
from users.models import User

from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric, Switch, SwitchGroup, VPCAttachment
from tests.cluster import VPCS, WIRING, ClusterTestCase

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
        # The demo's switches name switch profiles its cluster does not hold: they are marked too.
        self.profiles = {
            ('Switch', name): [f'SwitchProfile {profile} does not exist']
            for name, profile in Switch.objects.filter(fabric=self.fabric).values_list('name', 'profile')
        }
        self.assertEqual(len(self.profiles), 6)
        self.leaf = sorted([RACK_MARK, *self.profiles.pop(('Switch', 'leaf-01'))])
        self.leaf_fixed = (('Switch', 'leaf-01'), [m for m in self.leaf if m != RACK_MARK])

    def expected(self, *extra):
        return {**self.profiles, **dict(extra)}

    def assert_marks(self, *extra):
        self.fabric.refresh_from_db()
        self.assertEqual(marked(self.fabric), self.expected(*extra))
        self.assertEqual(self.fabric.dangling_count, len(self.expected(*extra)))

    def test_a_sync_marks_what_does_not_resolve_and_clears_it_once_it_does(self):
        leaf_marks = self.leaf
        self.assert_marks((('VPCAttachment', 'vpc-1--ghost'), [GHOST_MARK]), (('Switch', 'leaf-01'), leaf_marks))
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
        self.assert_marks(self.leaf_fixed)
        # The cluster loses the group again: the next sync marks the switch again.
        self.kube.delete('SwitchGroup', 'rack-9')
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        self.assert_marks((('Switch', 'leaf-01'), leaf_marks))

    def test_a_netbox_edit_creating_renaming_or_deleting_the_named_object_updates_the_marks(self):
        leaf_marks = self.leaf
        ghost = (('VPCAttachment', 'vpc-1--ghost'), [GHOST_MARK])
        api = reverse('plugins-api:netbox_hedgehog-api:switchgroup-list')
        response = self.client.post(api, {'fabric': self.fabric.pk, 'name': 'rack-9', 'spec': {}},
                                    content_type='application/json')
        self.assertEqual(response.status_code, 201, response.content)
        self.assert_marks(ghost, self.leaf_fixed)
        group = SwitchGroup.objects.get(fabric=self.fabric, name='rack-9')
        response = self.client.patch(reverse('plugins-api:netbox_hedgehog-api:switchgroup-detail', args=[group.pk]),
                                     {'name': 'rack-10'}, content_type='application/json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks(ghost, (('Switch', 'leaf-01'), leaf_marks))
        response = self.client.patch(reverse('plugins-api:netbox_hedgehog-api:switchgroup-detail', args=[group.pk]),
                                     {'name': 'rack-9'}, content_type='application/json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assert_marks(ghost, self.leaf_fixed)
        response = self.client.delete(reverse('plugins-api:netbox_hedgehog-api:switchgroup-detail', args=[group.pk]))
        self.assertEqual(response.status_code, 204, response.content)
        self.assert_marks(ghost, (('Switch', 'leaf-01'), leaf_marks))

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
        self.assertContains(page, f'{self.fabric.dangling_count} objects have a reference that names no object')
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
        self.assertEqual(fabric.json()['dangling_count'], len(self.profiles) + 2)

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
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).sync_status, 'in_sync')
