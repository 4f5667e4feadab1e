"""End to end, with the processes a deployment runs: real PostgreSQL and Redis, `netbox rqworker` and
`netbox hedgehog_scheduler` subprocesses, and the Kubernetes API test server reached over HTTPS from the workers.

The subprocesses share this process's environment, plus the test database (PGDATABASE) and tiny timings: a tick and a
minimum sync interval of 5 s and a sync lock TTL of 5 s. Each test starts from an empty tasks Redis database and kills
every process it started; their logs are printed when a test fails.
"""
import copy
import subprocess
import tempfile
import time
from itertools import pairwise

import django_rq
from django.conf import settings
from django.db import connection
from django.test import TransactionTestCase
from django.test.utils import override_settings
from rq import Worker

from hedgehog_devtools.processes import NETBOX, ProcessError, Processes, environment
from netbox_hedgehog import scheduling
from netbox_hedgehog.models import Fabric, SyncRun
from tests.cluster import WIRING, KubeAPIServerMixin

TICK = 5
LOCK_TTL = 5
# A request to the cluster must fit within the lock's TTL (the plugin refuses to start otherwise).
REQUEST_TIMEOUT = 4
TIMINGS = {
    'HEDGEHOG_SCHEDULER_INTERVAL': str(TICK),
    'HEDGEHOG_MIN_SYNC_INTERVAL': str(TICK),
    'HEDGEHOG_SYNC_LOCK_TTL': str(LOCK_TTL),
    'HEDGEHOG_K8S_REQUEST_TIMEOUT': str(REQUEST_TIMEOUT),
}
# Starting a NetBox process (Django, NetBox and the plugin) takes a few seconds, more on a busy machine.
BOOT = 120
# Allowance for job pick-up and database work on top of a documented bound.
SLACK = 5


class EndToEndTestCase(KubeAPIServerMixin, TransactionTestCase):
    """The Kubernetes API test server, an empty tasks Redis, tiny timings and the processes of one test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kube.load_yaml(WIRING)

    def setUp(self):
        super().setUp()
        self.kube.clear_faults()
        self.kube.latency = 0
        self.redis = django_rq.get_connection('default')
        self.redis.flushdb()
        plugin_config = copy.deepcopy(settings.PLUGINS_CONFIG)
        plugin_config['netbox_hedgehog'].update(scheduler_interval=TICK, min_sync_interval=TICK,
                                                sync_lock_ttl=LOCK_TTL, k8s_request_timeout=REQUEST_TIMEOUT)
        timings = override_settings(PLUGINS_CONFIG=plugin_config)
        timings.enable()
        self.addCleanup(timings.disable)
        directory = tempfile.TemporaryDirectory(prefix='hedgehog-e2e-')
        self.addCleanup(directory.cleanup)
        env = environment(**TIMINGS, PGDATABASE=connection.settings_dict['NAME'])
        self.processes = Processes(directory.name, env)
        # Runs before the directory is removed (cleanups run last-in, first-out); pytest shows the output on failure.
        self.addCleanup(lambda: print(self.processes.tails()))
        self.addCleanup(self.processes.kill_all)

    def wait_for(self, condition, timeout, message):
        """Poll `condition` until it returns something true; fail with `message` and the process logs otherwise."""
        try:
            return self.processes.wait_for(condition, timeout, message)
        except ProcessError as error:
            self.fail(str(error))

    def wait_for_worker(self, label):
        self.wait_for(lambda: any(w.name == label for w in Worker.all(connection=self.redis)), BOOT,
                      f'worker {label} did not register with Redis')

    def wait_for_schedule(self, timeout=BOOT):
        self.wait_for(lambda: scheduling.schedule_status(self.redis).registered, timeout,
                      'the master schedule was not registered')

    def make_fabric(self, name='fab-1', **fields):
        fields = {'sync_enabled': True, 'sync_interval': TICK, **fields}
        return Fabric.objects.create(name=name, kubeconfig=self.kube.kubeconfig(), **fields)

    def last_sync_after(self, fabric, moment, timeout, message):
        def advanced():
            fabric.refresh_from_db()
            return fabric.last_sync is not None and (moment is None or fabric.last_sync > moment) and fabric.last_sync
        return self.wait_for(advanced, timeout, message)

    def assert_runs_never_overlap(self, fabric):
        runs = list(SyncRun.objects.filter(fabric=fabric).order_by('created'))
        for earlier, later in pairwise(run for run in runs if run.started):
            self.assertIsNotNone(earlier.finished, f'run #{later.pk} of {fabric} started before #{earlier.pk} ended')
            self.assertGreaterEqual(later.started, earlier.finished,
                                    f'runs #{earlier.pk} and #{later.pk} of {fabric} overlapped')
        return runs


class SchedulerEndToEndTest(EndToEndTestCase):
    def test_enabled_fabric_is_synced_with_no_manual_action(self):
        fabric = self.make_fabric()
        self.processes.worker('e2e-worker')
        self.processes.sidecar('e2e-sidecar')
        first = self.last_sync_after(fabric, None, BOOT + TICK, 'the first scheduled sync did not happen')
        second = self.last_sync_after(fabric, first, 2 * TICK + SLACK, 'last_sync did not advance a first time')
        third = self.last_sync_after(fabric, second, 2 * TICK + SLACK, 'last_sync did not advance a second time')
        self.assertLess(first, second)
        self.assertLess(second, third)
        self.assertEqual(fabric.sync_status, 'synced')
        runs = self.assert_runs_never_overlap(fabric)
        self.assertGreaterEqual(len(runs), 3)
        self.assertEqual({(run.trigger, run.queue) for run in runs}, {('schedule', 'default')})
        self.assertEqual({run.status for run in runs if not run.is_active}, {'succeeded'})

    def test_restarting_the_sidecar_five_times_leaves_one_master_schedule(self):
        for restart in range(5):
            # The sidecar registers before its first loop, which writes the heartbeat.
            self.redis.delete(scheduling.HEARTBEAT_KEY)
            self.processes.sidecar(f'e2e-sidecar-{restart}')
            self.wait_for(lambda: self.redis.exists(scheduling.HEARTBEAT_KEY), BOOT,
                          f'sidecar start #{restart + 1} wrote no heartbeat')
            self.assertTrue(scheduling.schedule_status(self.redis).registered)
            self.assertEqual(self.processes.stop(f'e2e-sidecar-{restart}'), 0)
        entries = [entry.decode() for entry in self.redis.zrange(scheduling.SCHEDULED_JOBS_KEY, 0, -1)]
        self.assertEqual(sorted(entries), [scheduling.HOUSEKEEPING_JOB_ID, scheduling.MASTER_JOB_ID])

        status = subprocess.run([*NETBOX, 'hedgehog_scheduler', '--status'], env=self.processes.env,
                                capture_output=True, text=True, timeout=BOOT)
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn('Master schedule (hedgehog-master-schedule): registered, every 5 s', status.stdout)
        self.redis.delete(scheduling.SCHEDULED_JOBS_KEY)
        status = subprocess.run([*NETBOX, 'hedgehog_scheduler', '--status'], env=self.processes.env,
                                capture_output=True, text=True, timeout=BOOT)
        self.assertEqual(status.returncode, 1)
        self.assertIn('NOT registered', status.stdout)
        self.assertIn('The master schedule is not registered', status.stderr)

    def test_two_sidecars_never_sync_a_fabric_twice_for_one_tick(self):
        fabrics = [self.make_fabric(name=f'fab-{i}') for i in range(3)]
        for label in ('e2e-worker-a', 'e2e-worker-b'):
            self.processes.worker(label)
        for label in ('e2e-sidecar-a', 'e2e-sidecar-b'):
            self.processes.sidecar(label)
        for fabric in fabrics:
            self.last_sync_after(fabric, None, BOOT + TICK, f'{fabric} was not synced')
        time.sleep(3 * TICK)
        self.processes.stop('e2e-sidecar-a')
        self.processes.stop('e2e-sidecar-b')
        for fabric in fabrics:
            runs = self.assert_runs_never_overlap(fabric)
            self.assertEqual({run.status for run in runs if not run.is_active}, {'succeeded'})
            gaps = [(later.created - earlier.created).total_seconds() for earlier, later in zip(runs, runs[1:],
                                                                                               strict=False)]
            # One tick queues a fabric at most once, and the next sync is due an interval after the last one ends.
            self.assertGreaterEqual(min(gaps), TICK - 1, f'{fabric} was queued twice in one tick: gaps {gaps}')
            self.assertGreaterEqual(len(runs), 2)

    def test_killed_worker_mid_sync_is_detected_and_the_next_sync_succeeds(self):
        fabric = self.make_fabric()
        self.processes.worker('e2e-worker-a')
        self.processes.worker('e2e-worker-b')
        self.processes.sidecar('e2e-sidecar')
        before = self.last_sync_after(fabric, None, BOOT + TICK, 'the first scheduled sync did not happen')
        self.wait_for_worker('e2e-worker-a')
        self.wait_for_worker('e2e-worker-b')
        # The next sync reads slowly (every request waits), so it can be killed in the middle.
        self.kube.latency = 0.5
        victim = self.wait_for(lambda: SyncRun.objects.filter(fabric=fabric, status='running').first(),
                               3 * TICK + SLACK, 'no slow sync started')
        busy = self.wait_for(
            lambda: [w.name for w in Worker.all(connection=self.redis) if w.get_current_job_id() == victim.job_id],
            SLACK, 'no worker reports running the sync',
        )
        self.processes.kill(busy[0])
        killed_at = time.monotonic()
        fabric.refresh_from_db()
        self.assertEqual(fabric.sync_status, 'syncing')
        self.kube.latency = 0

        def failed():
            victim.refresh_from_db()
            return victim.status == 'failed'
        bound = LOCK_TTL + TICK + scheduling.sidecar_poll_interval()
        self.wait_for(failed, bound + SLACK, f'the killed sync was not detected within {bound} s (+{SLACK} s)')
        detected_after = time.monotonic() - killed_at
        self.assertIn('The worker running this sync stopped (killed or crashed)', victim.error)
        fabric.refresh_from_db()
        self.assertEqual((fabric.sync_status, fabric.last_sync, fabric.last_sync_error),
                         ('failed', before, victim.error))

        self.last_sync_after(fabric, before, 3 * TICK + SLACK, 'no sync succeeded after the killed one')
        self.assertEqual(fabric.sync_status, 'synced')
        self.assertEqual(fabric.failure_count, 0)
        self.assertLessEqual(detected_after, bound + SLACK)
        self.assert_runs_never_overlap(fabric)

    def test_schedule_comes_back_by_itself_after_redis_is_flushed(self):
        fabric = self.make_fabric()
        self.processes.worker('e2e-worker')
        self.processes.sidecar('e2e-sidecar')
        self.last_sync_after(fabric, None, BOOT + TICK, 'the first scheduled sync did not happen')
        self.wait_for_schedule()
        self.redis.flushdb()
        flushed_at = time.monotonic()
        fabric.refresh_from_db()
        synced_before_flush = fabric.last_sync
        self.assertFalse(scheduling.schedule_status(self.redis).registered)
        self.wait_for_schedule(timeout=TICK + SLACK)
        self.assertLessEqual(time.monotonic() - flushed_at, TICK + 1, 'registered again, but later than one tick')
        entries = [entry.decode() for entry in self.redis.zrange(scheduling.SCHEDULED_JOBS_KEY, 0, -1)]
        self.assertEqual(sorted(entries), [scheduling.HOUSEKEEPING_JOB_ID, scheduling.MASTER_JOB_ID])
        self.last_sync_after(fabric, synced_before_flush, 3 * TICK + SLACK, 'no sync after the flush')
        self.assertEqual(fabric.sync_status, 'synced')

    def test_sync_now_runs_on_high_and_pressing_twice_gives_one_run(self):
        fabric = self.make_fabric(sync_enabled=False)
        first = scheduling.enqueue_sync(fabric, 'manual')
        second = scheduling.enqueue_sync(fabric, 'manual')
        self.assertTrue(first.created)
        self.assertFalse(second.created)
        self.assertEqual(second.run, first.run)
        # Only a worker on "high" runs: the sync succeeding proves where it was queued.
        self.processes.worker('e2e-worker-high', 'high')
        self.last_sync_after(fabric, None, BOOT, 'the queued sync did not run on the "high" worker')
        self.assertEqual(fabric.sync_status, 'synced')

        self.kube.latency = 0.3
        third = scheduling.enqueue_sync(fabric, 'api')
        self.assertTrue(third.created)
        self.wait_for(lambda: SyncRun.objects.filter(pk=third.run.pk, status='running').exists(), SLACK + TICK,
                      'the second sync did not start')
        pressed_again = scheduling.enqueue_sync(fabric, 'manual')
        self.assertFalse(pressed_again.created)
        self.assertEqual(pressed_again.message, f'A sync of fabric fab-1 is already running (run #{third.run.pk}).')
        self.wait_for(lambda: SyncRun.objects.filter(pk=third.run.pk, status='succeeded').exists(), 4 * TICK,
                      'the second sync did not finish')
        self.assertEqual(SyncRun.objects.filter(fabric=fabric).count(), 2)
        self.assertEqual(set(SyncRun.objects.values_list('queue', flat=True)), {'high'})
