"""Reliability against the processes a deployment runs (issue #12, items 9, 11 and 12): a real `netbox rqworker`, a
Redis server restarted under it, a fabric deleted during its sync, and the worker's PostgreSQL backend terminated while
a sync writes. Process handling and timings come from test_e2e_scheduler.py."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient
from users.constants import TOKEN_PREFIX
from users.models import Token, User

from hedgehog_devtools.processes import free_port
from netbox_hedgehog import scheduling
from netbox_hedgehog.models import Fabric, SyncRun
from tests.test_e2e_scheduler import BOOT, SLACK, TICK, EndToEndTestCase

REDIS_SERVER = shutil.which('redis-server')


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence: a restart loses everything, as a Redis
    without a volume does."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--dir', str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        return self

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def queues(self):
        """RQ_QUEUES pointing at this server."""
        return {name: {**config, 'HOST': '127.0.0.1', 'PORT': self.port, 'DB': 0}
                for name, config in settings.RQ_QUEUES.items()}


class ReliabilityEndToEndTest(EndToEndTestCase):

    def api_client(self):
        user = User.objects.create_user(username='e2e-admin', is_superuser=True)
        token = Token.objects.create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        return api

    def test_health_after_redis_restarts_and_while_it_is_down(self):
        directory = tempfile.TemporaryDirectory(prefix='hedgehog-redis-')
        self.addCleanup(directory.cleanup)
        redis = PrivateRedis(Path(directory.name)).start()
        self.addCleanup(redis.stop)
        private = override_settings(RQ_QUEUES=redis.queues())
        private.enable()
        self.addCleanup(private.disable)
        self.processes.env = {**self.processes.env, 'REDIS_PORT': str(redis.port), 'HEDGEHOG_REDIS_TASKS_DB': '0'}
        fabric = self.make_fabric(sync_enabled=False)

        def worker_recognised():
            return not any('No worker is listening' in p or 'cannot reach' in p for p in scheduling.queue_health())

        self.processes.worker('e2e-worker')
        self.wait_for(worker_recognised, BOOT, 'the worker was not recognised at start')

        # Redis restarts while the worker runs a (slow) sync: the worker's registration comes back without its
        # queues, or not at all, until the worker restarts.
        self.kube.latency = 1
        busy = scheduling.enqueue_sync(fabric, 'manual')
        self.wait_for(lambda: SyncRun.objects.filter(pk=busy.run.pk, status='running').exists(), BOOT,
                      'the sync did not start')
        redis.stop()
        redis.start()
        self.wait_for(worker_recognised, 3 * TICK + SLACK, 'the running worker was not recognised after Redis '
                                                           'restarted')
        self.kube.latency = 0

        def finished(run):
            run.refresh_from_db()
            return not run.is_active
        # The sync took its lock again in the new Redis and finished.
        self.wait_for(lambda: finished(busy.run), BOOT, 'the sync running across the restart did not finish')
        self.assertEqual(busy.run.status, 'succeeded', busy.run.error)
        self.assertTrue(worker_recognised(), scheduling.queue_health())
        # And the worker still runs the syncs people ask for.
        result = scheduling.enqueue_sync(fabric, 'manual')
        self.assertTrue(result.created)
        self.wait_for(lambda: finished(result.run), BOOT, 'the worker did not run a sync after the restart')
        self.assertEqual(result.run.status, 'succeeded', result.run.error)

        redis.stop()
        api = self.api_client()
        response = api.get(reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[fabric.pk]))
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body['name'], fabric.name)
        self.assertEqual(len(body['problems']), 1)
        self.assertIn("NetBox cannot reach its task queue (the Redis server of its REDIS['tasks'] setting)",
                      body['problems'][0])
        page = self.client
        page.force_login(User.objects.get(username='e2e-admin'))
        self.assertContains(page.get(fabric.get_absolute_url()), 'NetBox cannot reach its task queue')

    def test_deleting_a_fabric_during_its_sync(self):
        fabric = self.make_fabric(sync_enabled=False)
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[fabric.pk])
        api = self.api_client()
        self.assertEqual(api.get(url).status_code, 200)
        self.processes.worker('e2e-worker')
        self.wait_for_worker('e2e-worker')
        # Every request to the cluster waits a second, so the sync is still reading when the fabric goes.
        self.kube.latency = 1
        result = scheduling.enqueue_sync(fabric, 'manual')
        self.wait_for(lambda: SyncRun.objects.filter(pk=result.run.pk, status='running').exists(), BOOT,
                      'the sync did not start')
        response = api.delete(url)
        self.assertEqual(response.status_code, 204, response.content)
        self.assertFalse(Fabric.objects.filter(pk=fabric.pk).exists())
        self.kube.latency = 0
        log = self.processes.directory / 'e2e-worker.log'
        self.wait_for(lambda: 'was deleted during sync run' in log.read_text(errors='replace'), BOOT,
                      'the sync of the deleted fabric did not end')
        text = log.read_text(errors='replace')
        self.assertEqual(text.count(f'was deleted during sync run {result.run.pk}'), 1)
        self.assertNotIn('Traceback', text)
        self.assertNotIn('NotUpdated', text)
        self.assertFalse(SyncRun.objects.filter(pk=result.run.pk).exists())

    def test_a_lost_database_connection_while_writing_is_said_in_words(self):
        fabric = self.make_fabric(sync_enabled=False)
        self.processes.worker('e2e-worker')
        self.wait_for_worker('e2e-worker')
        params = connection.settings_dict
        with psycopg.connect(dbname=params['NAME'], host=params['HOST'], user=params['USER']) as blocker:
            # The sync records its changes last in its write transaction: it waits on this lock with every object
            # written but not committed.
            blocker.execute('LOCK TABLE netbox_hedgehog_syncchange IN EXCLUSIVE MODE')
            result = scheduling.enqueue_sync(fabric, 'manual')

            def waiting_writer():
                # Asked on the test's own connection: statistics views stay frozen within the blocker's transaction.
                with connection.cursor() as cursor:
                    cursor.execute('SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))',
                                   [blocker.info.backend_pid])
                    return cursor.fetchone()
            (pid,) = self.wait_for(waiting_writer, BOOT, 'the sync never reached its write')
            blocker.execute('SELECT pg_terminate_backend(%s)', [pid])
            blocker.rollback()

        def finished():
            result.run.refresh_from_db()
            return not result.run.is_active
        self.wait_for(finished, 3 * TICK + SLACK, 'the sync did not finish after its connection was lost')
        self.assertEqual(result.run.status, 'failed')
        self.assertEqual(result.run.error, 'The database connection was lost while writing; nothing of this run was '
                                           'kept; the next sync retries.')
        fabric.refresh_from_db()
        self.assertEqual((fabric.sync_status, fabric.last_sync_error), ('failed', result.run.error))
        self.assertEqual(fabric.switch_set.count(), 0)
        self.assertNotIn('Internal error', (self.processes.directory / 'e2e-worker.log').read_text(errors='replace'))

        retry = scheduling.enqueue_sync(fabric, 'manual')
        self.last_sync_after(fabric, None, 3 * TICK + SLACK, 'the next sync did not succeed')
        retry.run.refresh_from_db()
        self.assertEqual(retry.run.status, 'succeeded')
        self.assertEqual(fabric.switch_set.count(), 6)

