"""The fabric's own settings (the controller's ConfigMap fab/fabric-ctrl-config): read by every sync, shown on the
fabric page and over REST, and applied by the admission rules that need them wherever NetBox accepts a change, where
Git documents are judged, and by the Kubernetes API test server as by a cluster's webhooks."""
import pytest
import yaml
from django.test import override_settings
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from hedgehog_devtools.kubeapi.status import ApiError
from netbox_hedgehog.gitops.repository import GitError
from netbox_hedgehog.gitops.writer import WriteRequest, write_to_git
from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS, to_manifest
from netbox_hedgehog.live.agents import AGENT
from netbox_hedgehog.models import VPC, Fabric, SyncChange, VLANNamespace
from netbox_hedgehog.validation import Refusal
from netbox_hedgehog.validation.config import fabric_config, read_settings
from tests.cluster import CONTROLLER_SETTINGS, ClusterTestCase
from tests.test_gitops import GitOpsTestCase

NAMESPACES = (
    {'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'VLANNamespace', 'metadata': {'name': 'default'},
     'spec': {'ranges': [{'from': 1000, 'to': 2999}]}},
    {'apiVersion': 'vpc.githedgehog.com/v1beta1', 'kind': 'IPv4Namespace', 'metadata': {'name': 'default'},
     'spec': {'subnets': ['10.0.0.0/16', '172.30.0.0/16']}},
)
# In the IPv4 namespace, but inside the fabric's reserved subnets (its management subnet).
RESERVED_VPC = {'subnets': {'default': {'subnet': '172.30.1.0/24', 'vlan': 1001}}}
FREE_VPC = {'subnets': {'default': {'subnet': '10.0.1.0/24', 'vlan': 1002}}}


#
# The settings document
#

def test_settings_are_checked_and_normalised_under_the_controller_names():
    settings = read_settings({
        **CONTROLLER_SETTINGS,
        'vpcIRBVLANRange': [{'from': 3500, 'to': 3899}, {'from': 3000, 'to': 3100}, {'from': 3200}],
        'users': [{'name': 'admin', 'password': 'not kept'}],
        'apiServer': '172.30.0.1:6443',
    })
    assert settings['vpcIRBVLANRange'] == [[3000, 3100], [3200, 3200], [3500, 3899]]
    assert 'users' not in settings and 'apiServer' not in settings, 'only what the rules use is kept'
    config = fabric_config(settings)
    assert config.reserved_subnets == tuple(CONTROLLER_SETTINGS['reservedSubnets'])
    assert (config.spine_leaf, config.fabric_mtu, config.server_facing_mtu_offset) == (True, 9100, 64)
    assert (config.spine_asn, config.leaf_asn_start, config.leaf_asn_end) == (65100, 65101, 65533)
    assert config.management_subnet == '172.30.0.0/21'


def test_the_rules_of_hhfab_hydration_need_every_setting_they_use():
    partial = {key: value for key, value in CONTROLLER_SETTINGS.items() if key != 'vtepSubnet'}
    config = fabric_config(read_settings(partial))
    assert (config.management_subnet, config.spine_asn, config.leaf_asn_start) == (None, None, None)
    assert config.reserved_subnets is not None, 'the other rules still apply'
    empty = fabric_config({})
    assert empty.reserved_subnets is None and empty.irb_vlan_ranges is None and empty.fabric_mtu is None


@pytest.mark.parametrize(('document', 'message'), [
    ({'fabricMTU': 'large'}, 'config.yaml: fabricMTU = "large": expected an integer from 0 to 65535 (uint16)'),
    ({'reservedSubnets': ['172.30.0.0/21', '10.1']},
     'config.yaml: reservedSubnets[1] = "10.1": expected an IP prefix such as 172.30.0.0/21'),
    ({'vpcIRBVLANRange': [{'from': 3000, 'to': 5000}]},
     'config.yaml: vpcIRBVLANRange[0] = {"from": 3000, "to": 5000}: expected 1 <= from <= to <= 4094'),
    ({'leafASNStart': 65200, 'leafASNEnd': 65101},
     'config.yaml: leafASNEnd = 65101: must be greater than or equal to leafASNStart'),
    ({'fabricMode': 'mesh'}, 'config.yaml: fabricMode = "mesh": expected one of spine-leaf, collapsed-core'),
    (['not', 'a', 'mapping'], 'config.yaml: expected a YAML mapping of the fabric controller settings'),
])
def test_a_malformed_setting_is_named(document, message):
    with pytest.raises(Refusal) as raised:
        read_settings(document)
    assert str(raised.value) == message


#
# Read by the sync, shown, applied at edit time
#

@override_settings(EXEMPT_VIEW_PERMISSIONS=['*'], EXEMPT_EXCLUDE_MODELS=[])
class FabricSettingsTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        for document in NAMESPACES:
            self.kube.put(document)
        self.user = User.objects.create_user(username='settings-admin', is_superuser=True)
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)

    def synced(self, fabric):
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        fabric.refresh_from_db()
        return run

    def post(self, fabric, slug, name, spec):
        return self.api.post(f'/api/plugins/hedgehog/{slug}/', {'fabric': fabric.pk, 'name': name, 'spec': spec},
                             format='json')

    def test_sync_reads_the_settings_and_edits_are_judged_by_them(self):
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        fabric = self.make_fabric(write_mode='cluster')
        run = self.synced(fabric)
        self.assertIn(f'Fabric settings: {len(fabric.fabric_settings)} setting(s) read from ConfigMap '
                      f'fab/fabric-ctrl-config', run.log)
        self.assertEqual(fabric.fabric_settings['reservedSubnets'], CONTROLLER_SETTINGS['reservedSubnets'])
        self.assertEqual(fabric.fabric_settings['vpcIRBVLANRange'], [[3000, 3899]])
        self.assertEqual(fabric.fabric_settings_source, 'ConfigMap fab/fabric-ctrl-config')

        response = self.post(fabric, 'vpcs', 'vpc-1', RESERVED_VPC)
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()['spec'], [
            'Refused by the fabric\'s admission rules: spec.subnets.default.subnet = "172.30.1.0/24": subnet is '
            'reserved (overlaps 172.30.0.0/21)'])
        response = self.post(fabric, 'vlan-namespaces', 'irb', {'ranges': [{'from': 3000, 'to': 3010}]})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn('ranges overlap with Fabric reserved VLANs', response.json()['spec'][0])
        self.assertEqual(self.post(fabric, 'vpcs', 'vpc-2', FREE_VPC).status_code, 201)
        self.assertEqual((VPC.objects.filter(fabric=fabric).count(),
                          VLANNamespace.objects.filter(fabric=fabric).count()), (1, 1))

        # The fabric page and REST show them, with where they were read.
        page = self.client.get(fabric.get_absolute_url())
        self.assertContains(page, 'Fabric settings')
        self.assertContains(page, '3000-3899')
        self.assertContains(page, '172.30.128.0/17')
        self.assertContains(page, 'Read from ConfigMap fab/fabric-ctrl-config by the last sync')
        answer = self.api.get(f'/api/plugins/hedgehog/fabrics/{fabric.pk}/').json()
        self.assertEqual(answer['fabric_settings']['fabricMTU'], 9100)
        self.assertEqual(answer['fabric_settings_source'], 'ConfigMap fab/fabric-ctrl-config')

    def test_without_settings_the_rules_that_need_them_are_not_applied(self):
        fabric = self.make_fabric(write_mode='cluster')
        run = self.synced(fabric)
        self.assertEqual(fabric.fabric_settings, {})
        self.assertTrue(fabric.fabric_settings_source.startswith('ConfigMap fab/fabric-ctrl-config: not found'),
                        fabric.fabric_settings_source)
        self.assertIn('Fabric settings: ConfigMap fab/fabric-ctrl-config: not found', run.log)
        self.assertContains(self.client.get(fabric.get_absolute_url()),
                            'the rules that need the fabric settings are not applied')
        self.assertEqual(self.post(fabric, 'vpcs', 'vpc-1', RESERVED_VPC).status_code, 201)

    def test_settings_follow_the_cluster_and_a_passing_failure_keeps_them(self):
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        fabric = self.make_fabric(write_mode='cluster')
        self.synced(fabric)
        self.kube.put_fabric_settings({**CONTROLLER_SETTINGS, 'fabricMTU': 9000})
        self.kube.inject(method='GET', path_regex='/configmaps/', status=503, count=None)
        run = self.synced(fabric)
        self.assertIn('ConfigMap fab/fabric-ctrl-config could not be read (answered 503', run.log)
        self.assertEqual(fabric.fabric_settings['fabricMTU'], 9100, 'kept while it cannot be read')
        self.kube.clear_faults()
        self.synced(fabric)
        self.assertEqual(fabric.fabric_settings['fabricMTU'], 9000)
        self.kube.delete('ConfigMap', 'fabric-ctrl-config', namespace='fab')
        self.synced(fabric)
        self.assertEqual(fabric.fabric_settings, {})
        self.assertEqual(self.post(fabric, 'vpcs', 'vpc-1', RESERVED_VPC).status_code, 201)

    def test_malformed_settings_are_said_and_not_applied(self):
        self.kube.put_fabric_settings({**CONTROLLER_SETTINGS, 'reservedSubnets': ['172.30.0.0/33']})
        fabric = self.make_fabric()
        self.synced(fabric)
        self.assertEqual(fabric.fabric_settings, {})
        self.assertEqual(fabric.fabric_settings_source,
                         'ConfigMap fab/fabric-ctrl-config: malformed setting config.yaml: reservedSubnets[0] = '
                         '"172.30.0.0/33": expected an IP prefix such as 172.30.0.0/21; the rules that need the fabric '
                         'settings are not applied')

    def test_a_dry_run_stores_nothing(self):
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        fabric = self.make_fabric()
        run = self.sync(fabric, dry_run=True)
        self.assertEqual(run.status, 'succeeded', run.error)
        fabric.refresh_from_db()
        self.assertEqual((fabric.fabric_settings, fabric.fabric_settings_source), ({}, ''))

    def test_the_test_server_admits_as_a_cluster_under_the_settings(self):
        spec = self.kube.store.kinds['VPC']
        document = {'apiVersion': KIND_BY_NAME['VPC'].api_version, 'kind': 'VPC', 'metadata': {'name': 'vpc-9'},
                    'spec': RESERVED_VPC}
        self.kube.store.create(spec, 'default', yaml.safe_load(yaml.safe_dump(document)), dry_run=True)
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        with self.assertRaises(ApiError) as raised:
            self.kube.store.create(spec, 'default', document)
        self.assertEqual(raised.exception.code, 422)
        self.assertEqual(raised.exception.message,
                         'VPC.vpc.githedgehog.com "vpc-9" is invalid: spec.subnets.default.subnet: admission webhook '
                         'denied the request: subnet is reserved (overlaps 172.30.0.0/21) (value: "172.30.1.0/24")')


class ForbiddenSettingsTest(ClusterTestCase):
    """Credentials granted the Hedgehog API groups only (deploy/kubernetes/fabric-access before this change)."""
    kube_tokens = {'hedgehog-only': {'role': 'reader', 'groups': sorted({k.group for k in KINDS} | {AGENT.group})}}

    def test_settings_a_token_may_not_read_are_said(self):
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        fabric = self.make_fabric(token='hedgehog-only')
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        fabric.refresh_from_db()
        self.assertEqual(fabric.fabric_settings, {})
        self.assertIn('not readable with the fabric\'s credentials (403 Forbidden)', fabric.fabric_settings_source)


class GitSettingsTest(GitOpsTestCase):
    def test_git_documents_are_judged_under_the_settings_and_again_when_they_change(self):
        refused = ('apiVersion: wiring.githedgehog.com/v1beta1\nkind: VLANNamespace\nmetadata:\n  name: irb\nspec:\n'
                   '  ranges:\n  - {from: 3800, to: 3810}\n')
        self.repo.commit({'env-1/irb.yaml': refused}, 'A VLAN namespace in the IRB range')
        fabric = self.git_fabric()
        run = self.synced(fabric)
        self.assertFalse(SyncChange.objects.filter(run=run, action='error', git_file='env-1/irb.yaml').exists(),
                         'no settings known: the rule is not applied')
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        run = self.synced(fabric)
        (error,) = SyncChange.objects.filter(run=run, action='error', git_file='env-1/irb.yaml')
        self.assertEqual(error.message,
                         "env-1/irb.yaml, document 1 (line 1) 'irb': refused by the VLANNamespace admission rules: "
                         'spec.ranges = [{"from": 3800, "to": 3810}]: ranges overlap with Fabric reserved VLANs: '
                         'VLAN ranges overlap: 3000-3899 and 3800-3810')
        self.assertEqual(Fabric.objects.get(pk=fabric.pk).fabric_settings['vpcIRBVLANRange'], [[3000, 3899]])

    def test_a_git_write_is_judged_under_the_settings(self):
        self.kube.put_fabric_settings(CONTROLLER_SETTINGS)
        fabric = self.git_fabric()
        self.synced(fabric)
        head = self.repo.head()
        manifest = to_manifest(KIND_BY_NAME['VLANNamespace'], 'th5', {'ranges': [{'from': 3950, 'to': 3960}]})
        with self.assertRaises(GitError) as raised:
            write_to_git(fabric, WriteRequest('create', 'VLANNamespace', 'th5', manifest, '', '', 'alice'))
        self.assertIn('ranges overlap with VLANs reserved for the TH5 workaround', str(raised.exception))
        self.assertTrue(str(raised.exception).endswith('nothing was committed.'))
        self.assertEqual(self.repo.head(), head)
