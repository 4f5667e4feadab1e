"""Reliability of a sync (issue #12, items 7, 8, 10 and 11) against PostgreSQL and the HTTPS Kubernetes API test server:
one sync in flight per fabric (the lock kept while planning and writing, the write fenced, live runs never declared
dead, timings that cannot work refused), transient API errors tried again within the run, edits racing a sync, and
deleting a large fabric in bulk. The same faults against real worker processes: test_e2e_reliability.py."""
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import psycopg
from core.models import ObjectChange, ObjectType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rq import Worker
from users.constants import TOKEN_PREFIX
from users.models import ObjectPermission, Token, User

from netbox_hedgehog import HedgehogConfig, scheduling, validate_settings
from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric, Server, SyncChange, SyncRun
from netbox_hedgehog.sync import engine
from netbox_hedgehog.sync import plan as plan_module
from netbox_hedgehog.sync.engine import DELETE_LOCK_CLASS, WRITE_LOCK_CLASS, create_run, run_sync
from tests.cluster import FABRIC_COUNTS, WIRING, ClusterTestCase, KubeAPIServerMixin
from tests.harness import DEV_CONFIG_DIR, REPO_ROOT
from tests.test_scheduling import MANUAL, FakeRedisMixin
from tests.test_sync import counts, plugin_settings

CONTINUED_CONNECTIONS = r'/connections\?.*continue='


def let_page_2_pass(kube):
    """Queue a fault that only consumes the next continued request (page 2), so the next fault hits page 3."""
    kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, delay=0.01)


def connection_statuses(kube):
    return [r.status for r in kube.request_log if r.path.endswith('/connections')]


class TransientErrorTest(ClusterTestCase):
    """Item 8: the 18 connections of the demo fabric are read in 5 pages of 4; page 3 fails once."""

    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.fabric = self.make_fabric()
        self.kube.reset_log()

    def sync_in_pages_of_4(self, **settings):
        with plugin_settings(k8s_page_size=4, **settings):
            return self.sync(self.fabric)

    def test_a_503_on_page_3_of_5_is_tried_again_and_the_run_succeeds(self):
        let_page_2_pass(self.kube)
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=503)
        run = self.sync_in_pages_of_4()
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(counts(self.fabric)['Connection'], 18)
        self.assertEqual(connection_statuses(self.kube), [200, 200, 503, 200, 200, 200])
        self.assertIn('Connection: page 3: The API server at 127.0.0.1', run.log)
        self.assertIn('(503 Service Unavailable). Retrying in 0.5 s (retry 1 of 3).', run.log)
        self.assertIn('Connection: read 18 objects in 5 page(s)', run.log)

    def test_each_transient_status_is_tried_again(self):
        for code in (500, 502, 504):
            with self.subTest(status=code):
                self.kube.reset_log()
                let_page_2_pass(self.kube)
                self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=code)
                run = self.sync_in_pages_of_4()
                self.assertEqual(run.status, 'succeeded', run.error)
                self.assertEqual(connection_statuses(self.kube), [200, 200, code, 200, 200, 200])
                self.assertIn(f'Connection: page 3: The API server at 127.0.0.1:{self.kube.port} failed', run.log)

    def test_a_429_waits_as_long_as_retry_after_asks(self):
        let_page_2_pass(self.kube)
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=429)
        started = time.monotonic()
        run = self.sync_in_pages_of_4()
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertGreaterEqual(time.monotonic() - started, 1)
        self.assertEqual(connection_statuses(self.kube), [200, 200, 429, 200, 200, 200])
        # Retry-After: 1 wins over the first backoff step (0.5 s).
        self.assertIn('429 Too Many Requests for connections.wiring.githedgehog.com/v1beta1. Retrying in 1 s '
                      '(retry 1 of 3).', run.log)

    def test_a_connection_reset_on_page_3_is_tried_again(self):
        let_page_2_pass(self.kube)
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, drop=True)
        run = self.sync_in_pages_of_4()
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(connection_statuses(self.kube), [200, 200, None, 200, 200, 200])
        self.assertIn('Connection: page 3: The connection to the API server at', run.log)
        self.assertIn('was dropped before it answered', run.log)

    def test_a_persistent_failure_fails_the_run_after_three_retries(self):
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=503, count=None)
        run = self.sync_in_pages_of_4()
        self.assertEqual(run.status, 'failed')
        self.assertIn('failed while listing connections.wiring.githedgehog.com/v1beta1 (503', run.error)
        self.assertEqual(connection_statuses(self.kube), [200, 503, 503, 503, 503])
        self.assertIn('(retry 3 of 3)', run.log)
        self.assertEqual(counts(self.fabric)['Connection'], 0)

    def test_waits_before_retries_stay_within_the_request_timeout(self):
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=503, count=None)
        run = self.sync_in_pages_of_4(k8s_request_timeout=2)
        self.assertEqual(run.status, 'failed')
        # 0.5 s + 1 s fit in 2 s; another 2 s would not.
        self.assertIn('Retrying in 1 s (retry 2 of 3)', run.log)
        self.assertNotIn('retry 3 of 3', run.log)
        self.assertEqual(connection_statuses(self.kube), [200, 503, 503, 503])

    def test_errors_that_are_not_transient_are_not_tried_again(self):
        self.kube.inject(method='GET', path_regex=CONTINUED_CONNECTIONS, status=403, count=None)
        run = self.sync_in_pages_of_4()
        self.assertEqual(run.status, 'failed')
        self.assertEqual(connection_statuses(self.kube), [200, 403])
        self.assertNotIn('Retrying', run.log)


def slowly(items, total_seconds, at_end):
    """Yield `items` spread over `total_seconds`, then call `at_end()` (a sync step that outlasts the lock's TTL)."""
    items = list(items)
    for item in items:
        time.sleep(total_seconds / max(len(items), 1))
        yield item
    at_end()


class OneSyncPerFabricTest(FakeRedisMixin, ClusterTestCase):
    """Item 7, against fakeredis for the lock (real expiry) and PostgreSQL for the fence."""
    TTL = 5

    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.fabric = self.make_fabric(sync_enabled=True)
        self.settings = plugin_settings(sync_lock_ttl=self.TTL, k8s_request_timeout=4)
        self.settings.enable()
        self.addCleanup(self.settings.disable)

    def lock_holder(self):
        value = self.redis.get(scheduling.sync_lock_key(self.fabric.pk))
        return value.decode() if value else None

    def assert_still_held_and_alive(self, run, seen):
        """What the master tick and "Sync now" see in the middle of a long step."""
        seen['holder'] = self.lock_holder()
        seen['recovered'] = scheduling.recover_stale_runs()
        seen['enqueued'] = scheduling.enqueue_sync(self.fabric, MANUAL)
        seen['request_id'] = str(run().request_id)

    def run_with_slow_step(self, target, wrap):
        seen = {}
        original = target[1]

        def slow(*args, **kwargs):
            return wrap(original, seen, *args, **kwargs)

        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        with mock.patch.object(target[0], target[2], slow):
            self.work('high')
        result.run.refresh_from_db()
        return result.run, seen

    def test_the_lock_is_kept_while_planning_longer_than_its_ttl(self):
        def wrap(original, seen, plan, items):
            run = SyncRun.objects.filter(status='running').first
            return original(plan, slowly(items, 1.5 * self.TTL if plan.kind_spec.kind == 'Connection' else 0,
                                         lambda: self.assert_still_held_and_alive(run, seen)))

        run, seen = self.run_with_slow_step((plan_module, plan_module.observe_items, 'observe_items'), wrap)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(seen['holder'], seen['request_id'])
        self.assertEqual(seen['recovered'], [])
        self.assertFalse(seen['enqueued'].created)
        self.assertEqual(seen['enqueued'].run, run)
        self.assertEqual(SyncRun.objects.count(), 1)

    def test_the_lock_is_kept_while_writing_longer_than_its_ttl(self):
        from netbox_hedgehog.sync import bulk

        def wrap(original, seen, table, fields, rows):
            if table != 'netbox_hedgehog_connection':
                return original(table, fields, rows)
            # While the COPY streams, the database connection is busy: only Redis is looked at.
            seen['request_id'] = str(SyncRun.objects.get(status='running').request_id)
            return original(table, fields, slowly(rows, 1.5 * self.TTL,
                                                  lambda: seen.update(holder=self.lock_holder())))

        run, seen = self.run_with_slow_step((bulk, bulk._copy, '_copy'), wrap)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.assertEqual(seen['holder'], seen['request_id'])
        self.assertEqual(counts(self.fabric)['Connection'], 18)

    def test_a_run_overtaken_by_a_newer_sync_never_commits(self):
        first = create_run(self.fabric, SyncTriggerChoices.COMMAND)
        original = plan_module.observe_items

        def newer_sync_starts(plan, items):
            if plan.kind_spec.kind == 'Switch':
                # As when this run's lock expired and "Sync now" started another one beside it.
                newer = create_run(self.fabric, SyncTriggerChoices.MANUAL)
                SyncRun.objects.filter(pk=newer.pk).update(status='running', started=timezone.now())
            return original(plan, items)

        with mock.patch.object(plan_module, 'observe_items', newer_sync_starts):
            first = run_sync(first)
        self.assertEqual(first.status, 'failed')
        self.assertIn('Another sync of this fabric started while this one was still running', first.error)
        self.assertEqual(sum(counts(self.fabric).values()), 0)

    def test_a_run_never_writes_while_another_holds_the_fabric_write_lock(self):
        with psycopg.connect(dbname=connection.settings_dict['NAME'], host=connection.settings_dict['HOST'],
                             user=connection.settings_dict['USER'], autocommit=True) as other:
            other.execute('SELECT pg_advisory_lock(%s, %s)', [WRITE_LOCK_CLASS, self.fabric.pk])
            run = self.sync(self.fabric)
        self.assertEqual(run.status, 'failed')
        self.assertIn('Another sync of this fabric was writing at the same moment', run.error)
        self.assertEqual(sum(counts(self.fabric).values()), 0)

    def register_worker(self, job, pid):
        self.redis.hset(Worker.redis_worker_namespace_prefix + 'busy-worker', mapping={
            'pid': pid, 'hostname': socket.gethostname(), 'current_job': job.id, 'queues': 'high',
        })
        job.worker_name = 'busy-worker'
        job.save()

    def test_a_run_whose_worker_lives_is_never_declared_dead(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        SyncRun.objects.filter(pk=result.run.pk).update(status='running')
        # Started long ago, no lock (a step outlasted it), but the worker process is this one: alive.
        job = self.start_job(result.job_id, started_ago=timedelta(seconds=3 * self.TTL))
        self.register_worker(job, os.getpid())
        self.assertEqual(scheduling.recover_stale_runs(), [])
        result.run.refresh_from_db()
        self.assertEqual(result.run.status, 'running')

        # The same with a worker process that is gone: failed.
        gone = subprocess.Popen(['true'])
        gone.wait()
        self.register_worker(job, gone.pid)
        self.assertEqual([run.pk for run in scheduling.recover_stale_runs()], [result.run.pk])
        result.run.refresh_from_db()
        self.assertIn('The worker running this sync stopped (killed or crashed)', result.run.error)


class TimingSettingsTest(SimpleTestCase):
    def test_a_lock_shorter_than_a_request_is_refused(self):
        defaults = HedgehogConfig.default_settings
        with self.assertRaisesMessage(ImproperlyConfigured, 'netbox_hedgehog: sync_lock_ttl (20 s) must be longer '
                                                            'than k8s_request_timeout (30 s)'):
            validate_settings({**defaults, 'sync_lock_ttl': 20})
        with self.assertRaisesMessage(ImproperlyConfigured, 'sync_job_timeout (30 s) must be longer than '
                                                            'k8s_request_timeout (30 s)'):
            validate_settings({**defaults, 'sync_job_timeout': 30})
        validate_settings({**defaults, 'sync_lock_ttl': 31})

    def test_netbox_refuses_to_start_with_them(self):
        python_path = os.pathsep.join(filter(None, (str(DEV_CONFIG_DIR), str(REPO_ROOT), os.environ.get('PYTHONPATH'))))
        env = {**os.environ, 'PYTHONPATH': python_path, 'HEDGEHOG_SYNC_LOCK_TTL': '10',
               'PGDATABASE': connection.settings_dict['NAME'],
               'HEDGEHOG_K8S_REQUEST_TIMEOUT': '30'}
        result = subprocess.run([str(Path(sys.executable).with_name('netbox')), 'check'], env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('ImproperlyConfigured: netbox_hedgehog: sync_lock_ttl (10 s) must be longer than '
                      'k8s_request_timeout (30 s)', result.stderr)


class LoadedWithNetBoxTest(SimpleTestCase):
    def test_the_kubernetes_api_module_loads_when_netbox_starts_not_in_each_job(self):
        """An rqworker forks a process per job: what NetBox's start-up did not import, every sync imports again (the
        Kubernetes client's custom objects API: about 0.1 s)."""
        python_path = os.pathsep.join(filter(None, (str(DEV_CONFIG_DIR), str(REPO_ROOT), os.environ.get('PYTHONPATH'))))
        code = 'import sys, django; django.setup(); print("kubernetes.client.api.custom_objects_api" in sys.modules)'
        result = subprocess.run([sys.executable, '-c', code], env={**os.environ, 'PYTHONPATH': python_path},
                                capture_output=True, text=True, timeout=300, check=False)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(result.stdout.strip().splitlines()[-1], 'True')


class EditRaceTest(KubeAPIServerMixin, TransactionTestCase):
    """Item 10: a REST PATCH that loaded an object before a sync committed, and saves after."""

    def setUp(self):
        super().setUp()
        self.kube.clear()
        self.kube.load_yaml(WIRING)
        self.fabric = Fabric.objects.create(name='race', kubeconfig=self.kube.kubeconfig(), write_mode='cluster')
        first = run_sync(create_run(self.fabric, SyncTriggerChoices.COMMAND))
        self.assertEqual(first.status, 'succeeded', first.error)
        self.server = Server.objects.get(fabric=self.fabric, name='server-01')
        user = User.objects.create_user(username='editor')
        permission = ObjectPermission.objects.create(name='edit-servers', actions=['view', 'change'])
        permission.object_types.add(ObjectType.objects.get_for_model(Server))
        permission.users.add(user)
        token = Token.objects.create(user=user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')
        self.url = reverse('plugins-api:netbox_hedgehog-api:server-detail', args=[self.server.pk])

    def sync_in_another_thread(self):
        """A sync committing on its own connection, as a worker's would."""
        outcome = {}

        def work():
            try:
                outcome['run'] = run_sync(create_run(self.fabric, SyncTriggerChoices.SCHEDULE))
            finally:
                connection.close()
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(timeout=120)
        return outcome['run']

    def test_a_patch_racing_a_sync_is_refused_and_reverts_nothing(self):
        source = self.kube.get('Server', 'server-01')
        self.kube.put({**source, 'spec': {'description': 'changed in the cluster'}})
        from netbox_hedgehog.api import serializers
        original = serializers.ServerSerializer.update
        synced = {}

        def sync_commits_meanwhile(serializer, instance, validated_data):
            synced['run'] = self.sync_in_another_thread()
            return original(serializer, instance, validated_data)

        with mock.patch.object(serializers.ServerSerializer, 'update', sync_commits_meanwhile):
            response = self.api.patch(self.url, {'labels': {'team': 'blue'}}, format='json')
        self.assertEqual(synced['run'].status, 'succeeded', synced['run'].error)
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn('Server server-01 was changed by a sync of its fabric (or by another edit) after this edit '
                      'loaded it', response.json()['detail'])
        self.assertIn('nothing was saved', response.json()['detail'])
        stored = Server.objects.get(pk=self.server.pk)
        self.assertEqual(stored.spec, {'description': 'changed in the cluster'})
        self.assertEqual(stored.resource_version, self.kube.get('Server', 'server-01')['metadata']['resourceVersion'])
        self.assertNotEqual(stored.resource_version, self.server.resource_version)
        self.assertEqual(stored.labels, self.server.labels)

        # Made again on the current version, the edit goes through.
        response = self.api.patch(self.url, {'labels': {'team': 'blue'}}, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Server.objects.get(pk=self.server.pk).labels, {'team': 'blue'})

    def test_an_edit_never_writes_the_fields_only_the_sync_owns(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.api.patch(self.url, {'labels': {'team': 'red'}, 'resource_version': '1',
                                                 'uid': 'forged'}, format='json')
        self.assertEqual(response.status_code, 200, response.content)
        updates = [q['sql'] for q in queries if q['sql'].startswith('UPDATE "netbox_hedgehog_server"')]
        self.assertTrue(updates)
        for sql in updates:
            set_clause = sql.split(' WHERE ')[0]
            for column in ('"uid"', '"resource_version"', '"generation"', '"creation_timestamp"', '"observed"'):
                self.assertNotIn(column, set_clause)
        stored = Server.objects.get(pk=self.server.pk)
        self.assertEqual((stored.uid, stored.resource_version), (self.server.uid, self.server.resource_version))


class FabricDeletedDuringSyncTest(KubeAPIServerMixin, TransactionTestCase):
    """A fabric deleted in NetBox (on another connection, as by a person) while its sync reads and writes it."""

    def test_a_sync_of_a_fabric_deleted_meanwhile_ends_quietly(self):
        self.kube.clear()
        self.kube.load_yaml(WIRING)
        fabric = Fabric.objects.create(name='lab', kubeconfig=self.kube.kubeconfig())
        self.assertEqual(run_sync(create_run(fabric, SyncTriggerChoices.COMMAND)).status, 'succeeded')
        self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Server',
                       'metadata': {'name': 'server-new', 'namespace': 'default'}, 'spec': {}})
        run = create_run(fabric, SyncTriggerChoices.MANUAL)
        original = plan_module.observe_items

        def delete():
            try:
                Fabric.objects.get(pk=fabric.pk).delete()
            finally:
                connection.close()
        deletion = threading.Thread(target=delete)

        def deletion_waiting():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::oid AND "
                               "objid = %s::oid AND objsubid = 2", [DELETE_LOCK_CLASS, fabric.pk])
                return cursor.fetchone()[0]

        def deleted_meanwhile(plan, items):
            if plan.kind_spec.kind == 'Server' and deletion.ident is None:
                # The deletion waits for this sync's transaction; the sync stops before its next kind.
                deletion.start()
                deadline = time.monotonic() + 60
                while not deletion_waiting():
                    self.assertLess(time.monotonic(), deadline, 'the deletion never started')
                    time.sleep(0.05)
            return original(plan, items)

        with mock.patch.object(plan_module, 'observe_items', deleted_meanwhile), \
                self.assertLogs('netbox_hedgehog.sync', level='INFO') as logs:
            run = run_sync(run)
        deletion.join(timeout=60)
        self.assertFalse(deletion.is_alive(), 'the deletion did not end after the sync stopped')
        self.assertEqual(logs.output, [
            f'WARNING:netbox_hedgehog.sync:Fabric {fabric.pk} (lab) was deleted during sync run {run.pk}; the sync '
            f'ended without writing.',
        ])
        self.assertFalse(Fabric.objects.filter(pk=fabric.pk).exists())
        self.assertFalse(SyncRun.objects.filter(pk=run.pk).exists())
        self.assertFalse(Server.objects.filter(name='server-new').exists())


class IdleTimeoutTest(KubeAPIServerMixin, TransactionTestCase):
    """A sync of a fabric without Git settings reads the cluster inside its write transaction: PostgreSQL ending that
    transaction for being idle too long (idle_in_transaction_session_timeout) fails the run in words, writing
    nothing."""

    def test_a_write_transaction_ended_as_idle_fails_the_run_in_words(self):
        self.kube.clear()
        self.kube.load_yaml(WIRING)
        self.addCleanup(setattr, self.kube, 'latency', 0)
        fabric = Fabric.objects.create(name='idle', kubeconfig=self.kube.kubeconfig())
        fence = engine._fence

        def fence_with_short_idle_timeout(run):
            fence(run)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL idle_in_transaction_session_timeout = '1s'")

        # Every answer of the cluster takes longer than PostgreSQL lets the transaction idle.
        self.kube.latency = 2
        with mock.patch.object(engine, '_fence', fence_with_short_idle_timeout):
            run = run_sync(create_run(fabric, SyncTriggerChoices.COMMAND))
        self.assertEqual(run.status, 'failed')
        self.assertEqual(run.error, 'The database connection was lost while writing; nothing of this run was kept; '
                                    'the next sync retries.')
        self.assertEqual(SyncRun.objects.get(pk=run.pk).status, 'failed')
        self.assertEqual(sum(counts(fabric).values()), 0)
        self.assertFalse(SyncChange.objects.filter(run=run).exists())


class FabricDeletionTest(ClusterTestCase):
    """Item 11: deleting a fabric is a handful of statements per kind whatever its size, change records included."""

    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.user = User.objects.create_user(username='admin', is_superuser=True)
        token = Token.objects.create(user=self.user)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f'Bearer {TOKEN_PREFIX}{token.key}.{token.token}')

    def synced_fabric(self, name, extra_servers):
        for i in range(extra_servers):
            self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Server',
                           'metadata': {'name': f'{name}-bulk-{i}', 'namespace': 'default'},
                           'spec': {'description': f'bulk {i}'}})
        fabric = self.make_fabric(name=name)
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        return fabric, sum(counts(fabric).values())

    def delete(self, fabric):
        url = reverse('plugins-api:netbox_hedgehog-api:fabric-detail', args=[fabric.pk])
        with CaptureQueriesContext(connection) as queries:
            response = self.api.delete(url)
        self.assertEqual(response.status_code, 204, response.content)
        return len(queries)

    def test_deleting_a_fabric_costs_the_same_whatever_its_size(self):
        warm, _count = self.synced_fabric('warm', 0)
        small, small_count = self.synced_fabric('small', 0)
        big, big_count = self.synced_fabric('big', 1500)
        self.assertEqual(big_count, small_count + 1500)
        # The first deletion fills Django's caches (content types).
        self.delete(warm)
        small_queries = self.delete(small)
        started = time.monotonic()
        big_queries = self.delete(big)
        self.assertLess(time.monotonic() - started, 60)
        self.assertEqual(big_queries, small_queries)
        for fabric, objects in ((small, small_count), (big, big_count)):
            self.assertFalse(Fabric.objects.filter(pk=fabric.pk).exists())
            self.assertFalse(SyncRun.objects.filter(fabric_id=fabric.pk).exists())
            for kind_spec in KINDS:
                self.assertFalse(kind_spec.model.objects.filter(fabric_id=fabric.pk).exists())
            deleted = ObjectChange.objects.filter(action='delete', message=f'Deleted with fabric {fabric.name}')
            self.assertEqual(deleted.count(), objects)
        server = ObjectChange.objects.get(action='delete', object_repr='big-bulk-7')
        self.assertEqual(server.prechange_data['spec'], {'description': 'bulk 7'})
        self.assertEqual(server.user, self.user)
        self.assertTrue(ObjectChange.objects.filter(action='delete', object_repr='big',
                                                    changed_object_type=ObjectType.objects.get_for_model(Fabric))
                        .exists())

    def test_the_confirmation_page_counts_the_objects_and_the_page_says_what_happened_to_a_queued_sync(self):
        fabric, objects = self.synced_fabric('lab', 0)
        self.client.force_login(self.user)
        url = reverse('plugins:netbox_hedgehog:fabric_delete', args=[fabric.pk])
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'Connections')
        queued = create_run(fabric, SyncTriggerChoices.MANUAL)
        page = self.client.post(url, {'confirm': True}, follow=True)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f'The sync of fabric lab that was queued or running (run #{queued.pk}) was '
                                  f'stopped: it ends without writing.')
        self.assertFalse(Fabric.objects.filter(pk=fabric.pk).exists())
        self.assertEqual(objects, sum(FABRIC_COUNTS[WIRING].values()))
