"""Global search: Hedgehog objects are found by name and by the values people look for (serials, ports, subnets,
ASNs), and credentials are never indexed."""
from core.models import ObjectType
from extras.models import CustomField
from netbox.search.backends import search_backend
from utilities.testing import TestCase

from netbox_hedgehog.models import VPC, Connection, Fabric, Switch
from tests.cluster import WIRING, ClusterTestCase

from .specs import (
    DEMO_VPC_1,
    DEMO_VPC_3,
    DS3000_01,
    DS4000_01,
    ESLAG_SERVER_1,
    FABRIC_SPINE_1_LEAF_1,
    KUBECONFIG,
    create_fabric,
    create_objects,
)


def found(value):
    """(model, name) of what the global search finds for `value`."""
    return sorted((type(result.object).__name__, result.name) for result in search_backend.search(value))


class GlobalSearchTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        fabric = create_fabric('env-ci-1', kubeconfig=KUBECONFIG, git_token='ghp_demoGitopsToken',
                               git_url='https://github.com/githedgehog/lab-ci.git')
        # One call per model: the backend indexes a batch with the indexer of its first object.
        for objects in (
            [fabric],
            create_objects(Switch, fabric, [('ds3000-01', DS3000_01), ('ds4000-01', DS4000_01)]),
            create_objects(Connection, fabric, [('server-1--eslag--ds3000-01--ds3000-02', ESLAG_SERVER_1),
                                                ('ds4000-01--fabric--ds3000-01', FABRIC_SPINE_1_LEAF_1)]),
            create_objects(VPC, fabric, [('demo-vpc-1', DEMO_VPC_1), ('demo-vpc-3', DEMO_VPC_3)]),
        ):
            search_backend.cache(objects)

    def test_found_by_name(self):
        self.assertEqual(found('ds4000-01'), [
            ('Connection', 'ds4000-01--fabric--ds3000-01'), ('Switch', 'ds4000-01'),
        ])
        self.assertEqual(found('lab-ci.git'), [('Fabric', 'env-ci-1')])

    def test_found_by_typed_columns(self):
        self.assertEqual(found('R4039F2B074C17GD300131'), [('Switch', 'ds3000-01')])
        self.assertEqual(found('65100'), [('Switch', 'ds4000-01')])
        self.assertEqual(found('ds3000-02/E1/1/2'), [('Connection', 'server-1--eslag--ds3000-01--ds3000-02')])
        self.assertEqual(found('10.10.132.0/24'), [('VPC', 'demo-vpc-3')])
        self.assertEqual(found('1101'), [('VPC', 'demo-vpc-1')])

    def test_credentials_are_not_indexed(self):
        fabric = Fabric.objects.get()
        for value in ('kubeconfig-secret-token', 'ghp_demoGitopsToken', fabric.kubeconfig_encrypted[:24],
                      fabric.git_token_encrypted[-24:]):
            self.assertEqual(found(value), [])


class SyncedSearchTest(ClusterTestCase):
    """What a sync writes to the search index is what NetBox's own search backend would: an object the sync changes
    is still found by its custom fields."""

    def test_custom_field_values_stay_searchable_after_a_sync_changes_the_object(self):
        self.kube.load_yaml(WIRING)
        fabric = self.make_fabric()
        self.assertEqual(self.sync(fabric).status, 'succeeded')
        rack = CustomField.objects.create(name='rack_position', type='text', search_weight=500)
        rack.object_types.set([ObjectType.objects.get_for_model(Switch)])
        Switch.objects.filter(fabric=fabric, name='leaf-01').update(custom_field_data={'rack_position': 'R12-U40'})
        search_backend.cache(Switch.objects.filter(fabric=fabric, name='leaf-01'))
        self.assertEqual(found('R12-U40'), [('Switch', 'leaf-01')])

        leaf = self.kube.get('Switch', 'leaf-01')
        leaf['spec']['description'] = 'moved to row B'
        self.kube.put(leaf)
        run = self.sync(fabric)
        self.assertEqual((run.status, run.total('update')), ('succeeded', 1))
        self.assertEqual(found('R12-U40'), [('Switch', 'leaf-01')])
        self.assertEqual(found('moved to row B'), [('Switch', 'leaf-01')])
