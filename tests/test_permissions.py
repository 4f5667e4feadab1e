"""The README's permission table is what the code enforces.

Each row of the table in README.md, "Permissions", names an action and the permissions it needs. For every row a
user holding exactly those permissions performs the action (through the pages or the REST API, as the row says) and
succeeds; then, for each permission of the row, a user holding all the others is refused and nothing changes. A row
without a test here, or a test without a row, fails the suite.
"""
import re

import django_rq
from core.models import ObjectType
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token, User

from netbox_hedgehog.models import VPC, Fabric, SyncChange, SyncRun
from netbox_hedgehog.models.fabric import reveal_credential
from tests.cluster import WIRING, ClusterTestCase
from tests.harness import REPO_ROOT
from tests.specs import create_objects

# The Hedgehog kind the rows written with `<kind>` are checked with.
KIND = 'vpc'
# VPCs inside the demo fabric's namespaces (10.20.0.0/16, VLANs 1000-2999), which the admission rules check.
LAB_VPC = {'subnets': {'default': {'subnet': '10.20.9.0/24', 'vlan': 1009}}}
ADDED_VPC = {'subnets': {'default': {'subnet': '10.20.10.0/24', 'vlan': 1010}}}
NEW_KUBECONFIG_SERVER = 'https://fabric-2.example.net:6443'


def nothing():
    """What a refused read changed: nothing."""
    return False


def readme_permission_rows():
    """(action, {permission codenames}) for every row of the README's permission table."""
    text = (REPO_ROOT / 'README.md').read_text(encoding='utf-8')
    section = text.split('\n## Permissions\n', 1)[1].split('\n## ', 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if not line.startswith('|') or len(cells) != 2 or cells[0] in ('Action', '---'):
            continue
        codenames = {name.replace('<kind>', KIND) for name in re.findall(r'`(netbox_hedgehog\.[a-z_<>]+)`', cells[1])}
        rows.append((cells[0], codenames))
    return rows


class PermissionTableTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        django_rq.get_connection('high').flushdb()
        self.kube.load_yaml(WIRING)
        # Its objects may be edited (the edits are applied to the cluster): the permissions are what is checked.
        self.fabric = self.make_fabric(name='lab', write_mode='cluster')
        self.run = self.sync(self.fabric)
        self.assertTrue(SyncChange.objects.filter(run=self.run).exists())
        self.synced_status = Fabric.objects.get(pk=self.fabric.pk).sync_status
        (self.vpc,) = create_objects(VPC, self.fabric, [('demo-vpc-1', LAB_VPC)])
        Fabric.objects.filter(pk=self.fabric.pk).update(connection_status='unknown', connection_message='')
        self.user = User.objects.create_user(username='operator')
        token = Token.objects.create(user=self.user, write_enabled=True)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)

    def grant_exactly(self, codenames):
        """Replace the user's permissions with one object permission per codename."""
        ObjectPermission.objects.filter(users=self.user).delete()
        for codename in sorted(codenames):
            app_label, name = codename.split('.')
            action, model_name = name.split('_', 1)
            permission = ObjectPermission.objects.create(name=codename, actions=[action])
            permission.object_types.add(ObjectType.objects.get_for_model(apps.get_model(app_label, model_name)))
            permission.users.add(self.user)

    #
    # One check per row: True when the action succeeded (and did what it says), False when it was refused (and
    # changed nothing).
    #

    def see_fabrics(self):
        page = self.client.get(self.fabric.get_absolute_url())
        listing = self.api.get(reverse('plugins-api:netbox_hedgehog-api:fabric-list'))
        return self.outcome((page.status_code, listing.status_code), (200, 200),
                            lambda: listing.json()['count'] == 1, changed=nothing)

    def see_objects_of_a_kind(self):
        page = self.client.get(self.vpc.get_absolute_url())
        listing = self.api.get(reverse('plugins-api:netbox_hedgehog-api:vpc-list'))
        return self.outcome((page.status_code, listing.status_code), (200, 200),
                            lambda: 'demo-vpc-1' in page.content.decode() and listing.json()['count'] == 1,
                            changed=nothing)

    def see_sync_runs(self):
        page = self.client.get(self.run.get_absolute_url())
        listing = self.api.get(reverse('plugins-api:netbox_hedgehog-api:syncrun-list'))
        return self.outcome((page.status_code, listing.status_code), (200, 200),
                            lambda: 'spine-01' in page.content.decode() and listing.json()['count'] == 1,
                            changed=nothing)

    def read_sync_changes(self):
        listing = self.api.get(reverse('plugins-api:netbox_hedgehog-api:syncchange-list'))
        return self.outcome((listing.status_code,), (200,),
                            lambda: listing.json()['count'] == SyncChange.objects.filter(run=self.run).count(),
                            changed=nothing)

    def sync_buttons(self):
        queued = []
        for view in ('fabric_sync', 'fabric_dry_run'):
            response = self.client.post(reverse(f'plugins:netbox_hedgehog:{view}', args=[self.fabric.pk]))
            queued.append(self.outcome((response.status_code,), (302,), self.one_queued_run_and_clear))
        listing = self.client.get(reverse('plugins:netbox_hedgehog:fabric_list'))
        button = 'Sync Selected' in listing.content.decode() if listing.status_code == 200 else False
        bulk = self.client.post(reverse('plugins:netbox_hedgehog:fabric_bulk_sync'), {'pk': [self.fabric.pk]})
        queued.append(button and self.outcome((bulk.status_code,), (302,), self.one_queued_run_and_clear))
        if not button:
            self.one_queued_run_and_clear()
        self.assertEqual(len(set(queued)), 1, f'Sync now, Dry run and Sync selected disagree: {queued}')
        return queued[0]

    def press_test_connection(self):
        response = self.client.post(reverse('plugins:netbox_hedgehog:fabric_test_connection', args=[self.fabric.pk]))
        return self.outcome((response.status_code,), (302,), lambda: Fabric.objects.get(
            pk=self.fabric.pk).connection_status == 'connected', changed=self.connection_was_tested)

    def rest_sync(self):
        response = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-sync', args=[self.fabric.pk]),
                                 {'dry_run': True}, format='json')
        return self.outcome((response.status_code,), (202,), self.one_queued_run_and_clear)

    def rest_test_connection(self):
        response = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-test-connection',
                                         args=[self.fabric.pk]))
        return self.outcome((response.status_code,), (200,), lambda: response.json()['ok'],
                            changed=self.connection_was_tested)

    def add_fabric(self):
        response = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-list'),
                                 {'name': 'added', 'kubeconfig': self.kube.kubeconfig()}, format='json')
        return self.outcome((response.status_code,), (201,), lambda: Fabric.objects.get(name='added').has_kubeconfig,
                            changed=lambda: Fabric.objects.filter(name='added').exists())

    def edit_fabric(self):
        kubeconfig = self.kube.kubeconfig().replace(self.kube.url, NEW_KUBECONFIG_SERVER)
        self.assertNotEqual(kubeconfig, self.kube.kubeconfig())
        response = self.api.patch(reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[self.fabric.pk]),
                                  {'kubeconfig': kubeconfig, 'description': 'edited'}, format='json')

        def edited():
            fabric = Fabric.objects.get(pk=self.fabric.pk)
            return reveal_credential(fabric, 'kubeconfig') == kubeconfig and fabric.description == 'edited'
        return self.outcome((response.status_code,), (200,), edited, changed=edited)

    def delete_fabric(self):
        response = self.api.delete(reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[self.fabric.pk]))
        gone = lambda: not Fabric.objects.filter(pk=self.fabric.pk).exists()  # noqa: E731
        return self.outcome((response.status_code,), (204,), lambda: not VPC.objects.exists(), changed=gone)

    def edit_objects_of_a_kind(self):
        url = reverse('plugins-api:netbox_hedgehog-api:vpc-list')
        added = self.api.post(url, {'fabric': self.fabric.pk, 'name': 'added-vpc', 'spec': ADDED_VPC}, format='json')
        changed = self.api.patch(reverse('plugins-api:netbox_hedgehog-api:vpc-detail', args=[self.vpc.pk]),
                                 {'labels': {'edited': 'yes'}}, format='json')
        deleted = self.api.delete(reverse('plugins-api:netbox_hedgehog-api:vpc-detail', args=[self.vpc.pk]))
        results = [
            self.outcome((added.status_code,), (201,), lambda: True,
                         changed=lambda: VPC.objects.filter(name='added-vpc').exists()),
            self.outcome((changed.status_code,), (200,), lambda: True,
                         changed=lambda: VPC.objects.filter(labels__edited='yes').exists()),
            self.outcome((deleted.status_code,), (204,), lambda: True,
                         changed=lambda: not VPC.objects.filter(pk=self.vpc.pk).exists()),
        ]
        # Taking one of add/change/delete away refuses that one operation only.
        return all(results)

    CHECKS = (
        ('See fabrics', see_fabrics),
        ('See Hedgehog objects of a kind', see_objects_of_a_kind),
        ('See sync runs', see_sync_runs),
        ('Read sync changes over REST', read_sync_changes),
        ('"Sync now", "Sync selected", "Dry run"', sync_buttons),
        ('"Test connection" on the fabric page', press_test_connection),
        ('Sync or dry run over REST', rest_sync),
        ('Test connection over REST', rest_test_connection),
        ('Add a fabric', add_fabric),
        ('Edit a fabric', edit_fabric),
        ('Delete a fabric', delete_fabric),
        ('Add, edit or delete Hedgehog objects of a kind', edit_objects_of_a_kind),
    )

    #
    # Helpers of the checks
    #

    def outcome(self, statuses, allowed_statuses, effect, changed=None):
        """True when every status is the allowed one and `effect` holds; False when every status is 403 or 404 and
        nothing changed (`changed`, default: `effect`); anything else fails the test."""
        if statuses == allowed_statuses:
            self.assertTrue(effect(), f'{statuses}: allowed, but the action did not do what it says')
            return True
        self.assertTrue(all(status in (403, 404) for status in statuses), f'unexpected answers {statuses}')
        self.assertFalse((changed or effect)(), f'{statuses}: refused, but something changed')
        return False

    def one_queued_run_and_clear(self):
        queued = SyncRun.objects.filter(fabric=self.fabric, status='queued')
        found = queued.count() == 1
        queued.delete()
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status=self.synced_status)
        django_rq.get_connection('high').flushdb()
        return found

    def connection_was_tested(self):
        tested = Fabric.objects.get(pk=self.fabric.pk).connection_status != 'unknown'
        Fabric.objects.filter(pk=self.fabric.pk).update(connection_status='unknown', connection_message='')
        return tested

    #
    # The test
    #

    def test_every_readme_row_is_what_the_code_enforces(self):
        rows = readme_permission_rows()
        checks = dict(self.CHECKS)
        matched = {}
        for action, codenames in rows:
            prefixes = [prefix for prefix in checks if action.startswith(prefix)]
            self.assertEqual(len(prefixes), 1, f'README row "{action}" has no check (or several) here')
            self.assertTrue(codenames, f'README row "{action}" names no permission')
            matched[prefixes[0]] = codenames
        self.assertEqual(set(matched), set(checks), 'checks without a README row')

        for prefix, codenames in matched.items():
            with self.subTest(action=prefix, permissions=sorted(codenames)):
                self.grant_exactly(codenames)
                self.assertTrue(checks[prefix](self), f'{prefix}: refused with {sorted(codenames)}')
            self.restore()
            for missing in sorted(codenames):
                with self.subTest(action=prefix, without=missing):
                    self.grant_exactly(codenames - {missing})
                    self.assertFalse(checks[prefix](self), f'{prefix}: allowed without {missing}')
                self.restore()

    def restore(self):
        """Put back what an action removed or changed, for the next check."""
        if not Fabric.objects.filter(pk=self.fabric.pk).exists():
            self.fabric = self.make_fabric(name='lab', write_mode='cluster')
            self.run = self.sync(self.fabric)
            self.synced_status = Fabric.objects.get(pk=self.fabric.pk).sync_status
        Fabric.objects.filter(name='added').delete()
        fabric = Fabric.objects.get(pk=self.fabric.pk)
        if fabric.kubeconfig != self.kube.kubeconfig() or fabric.description:
            fabric.kubeconfig = self.kube.kubeconfig()
            fabric.description = ''
            fabric.save()
        VPC.objects.filter(name='added-vpc').delete()
        if not VPC.objects.filter(fabric=self.fabric, name='demo-vpc-1').exists():
            (self.vpc,) = create_objects(VPC, self.fabric, [('demo-vpc-1', LAB_VPC)])
        VPC.objects.filter(pk=self.vpc.pk).update(labels={})
        Fabric.objects.filter(pk=self.fabric.pk).update(connection_status='unknown', connection_message='')
