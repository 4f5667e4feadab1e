"""Sync now (button, bulk action, REST), test connection, sync activity and sync history pages."""
from unittest import mock

import django_rq
import redis
from core.models import ObjectType
from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token, User

from netbox_hedgehog import scheduling
from netbox_hedgehog.models import Fabric, SyncChange, SyncRun
from tests.cluster import WIRING, ClusterTestCase


class SyncActionsTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        django_rq.get_connection('high').flushdb()
        self.kube.load_yaml(WIRING)
        self.fabric = self.make_fabric(name='lab')
        self.user = User.objects.create_user(username='operator')
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.client.force_login(self.user)

    def grant(self, *actions):
        permission = ObjectPermission.objects.create(name=f'p-{"-".join(actions)}', actions=list(actions))
        permission.object_types.add(ObjectType.objects.get_for_model(Fabric))
        permission.users.add(self.user)

    def test_sync_now_button_queues_on_high_once(self):
        self.grant('view', 'sync')
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertContains(page, f'action="/plugins/hedgehog/fabrics/{self.fabric.pk}/sync/"')
        self.assertContains(page, 'Sync activity')
        url = reverse('plugins:netbox_hedgehog:fabric_sync', args=[self.fabric.pk])
        first = self.client.post(url, follow=True)
        self.assertContains(first, 'was queued on &quot;high&quot;')
        second = self.client.post(url, follow=True)
        self.assertContains(second, 'is already queued')
        run = SyncRun.objects.get(fabric=self.fabric)
        self.assertEqual((run.trigger, run.queue, run.status, run.user), ('manual', 'high', 'queued', self.user))
        self.assertEqual(django_rq.get_queue('high').job_ids, [run.job_id])
        self.assertEqual(Fabric.objects.get(pk=self.fabric.pk).sync_status, 'queued')
        # The page shows the queued run and polls for progress.
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertContains(page, f'Run #{run.pk}: Queued')
        self.assertContains(page, 'hx-trigger="every 3s"')
        activity = reverse('plugins:netbox_hedgehog:fabric_sync_activity', args=[self.fabric.pk])
        self.assertNotIn('HX-Refresh', self.client.get(activity + '?watching=1'))
        SyncRun.objects.filter(pk=run.pk).update(status='failed', finished=run.created)
        self.assertEqual(self.client.get(activity + '?watching=1')['HX-Refresh'], 'true')

    def test_without_permission_no_button_and_403(self):
        self.grant('view')
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(f'action="/plugins/hedgehog/fabrics/{self.fabric.pk}/sync/"', page.content.decode())
        url = reverse('plugins:netbox_hedgehog:fabric_sync', args=[self.fabric.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        response = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-sync', args=[self.fabric.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(SyncRun.objects.exists())

    def test_rest_sync_answers_202_and_is_not_duplicated(self):
        self.grant('view', 'sync')
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-sync', args=[self.fabric.pk])
        first = self.api.post(url, {}, format='json')
        self.assertEqual(first.status_code, 202, first.content)
        body = first.json()
        self.assertEqual((body['queue'], body['created']), ('high', True))
        self.assertEqual(body['job_id'], f'hedgehog-sync-fabric-{self.fabric.pk}')
        self.assertEqual(body['sync_run']['status']['value'], 'queued')
        self.assertTrue(any('No worker is listening' in p for p in body['problems']))
        second = self.api.post(url, {}, format='json').json()
        self.assertFalse(second['created'])
        self.assertEqual(second['sync_run']['id'], body['sync_run']['id'])
        dry = self.api.post(url, {'dry_run': True}, format='json').json()
        self.assertTrue(dry['created'])
        self.assertTrue(dry['sync_run']['dry_run'])

    def test_redis_unreachable_is_said_in_plain_words(self):
        self.grant('view', 'sync')
        closed = redis.Redis(host='127.0.0.1', port=1, socket_connect_timeout=1)
        with mock.patch.object(scheduling.queues, 'redis_connection', return_value=closed):
            response = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-sync', args=[self.fabric.pk]))
            page = self.client.post(reverse('plugins:netbox_hedgehog:fabric_sync', args=[self.fabric.pk]),
                                    follow=True)
        self.assertEqual(response.status_code, 503)
        self.assertIn('NetBox cannot reach its task queue', response.json()['detail'])
        self.assertContains(page, 'NetBox cannot reach its task queue')
        self.assertFalse(SyncRun.objects.exists())

    def test_bulk_sync(self):
        self.grant('view', 'sync')
        other = self.make_fabric(name='other')
        response = self.client.post(reverse('plugins:netbox_hedgehog:fabric_bulk_sync'),
                                    {'pk': [self.fabric.pk, other.pk]}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(SyncRun.objects.filter(queue='high', status='queued').count(), 2)

    def test_test_connection_button_and_rest(self):
        self.grant('view', 'sync')
        response = self.client.post(reverse('plugins:netbox_hedgehog:fabric_test_connection', args=[self.fabric.pk]),
                                    follow=True)
        self.assertContains(response, 'all 16 Hedgehog kinds can be listed')
        self.kube.inject(method='GET', status=401, count=None)
        api = self.api.post(reverse('plugins-api:netbox_hedgehog-api:fabric-test-connection',
                                    args=[self.fabric.pk])).json()
        self.assertFalse(api['ok'])
        self.assertEqual(api['connection_status'], 'failed')
        self.assertIn('rejected the credentials (401 Unauthorized)', api['message'])


class SyncHistoryPagesTest(ClusterTestCase):
    def test_run_pages_show_counts_and_diffs(self):
        admin = User.objects.create_user(username='admin2', is_superuser=True)
        self.client.force_login(admin)
        self.kube.load_yaml(WIRING)
        fabric = self.make_fabric(name='lab')
        first = self.sync(fabric)
        switch = self.kube.get('Switch', 'leaf-01')
        switch['spec']['description'] = 'leaf-1 renamed'
        self.kube.put(switch)
        second = self.sync(fabric)
        self.assertEqual(SyncChange.objects.get(run=second).diff[0]['path'], 'spec.description')

        listing = self.client.get(reverse('plugins:netbox_hedgehog:syncrun_list') + f'?fabric_id={fabric.pk}')
        self.assertContains(listing, f'>{first.pk}<')
        self.assertContains(listing, f'>{second.pk}<')
        detail = self.client.get(second.get_absolute_url())
        self.assertContains(detail, '1 field changed')
        self.assertContains(detail, 'spec.description')
        self.assertContains(detail, 'leaf-1 renamed')
        self.assertContains(detail, '<details>')
        first_page = self.client.get(first.get_absolute_url())
        self.assertContains(first_page, 'Connection')
        fabric_page = self.client.get(fabric.get_absolute_url())
        self.assertContains(fabric_page, f'#{second.pk}</a>')
        api = self.client.get(reverse('plugins-api:netbox_hedgehog-api:syncrun-list') + f'?fabric_id={fabric.pk}')
        self.assertEqual(api.json()['count'], 2)
        self.assertEqual(api.json()['results'][0]['counts']['Switch']['update'], 1)
