"""Queue logic of scheduled and on-demand syncs, against fakeredis (fast unit tests; see test_e2e_scheduler.py for the
real processes): due-ness, fan-out, dedupe, locks, backoff, recovery of dead runs, retention, health, registration."""
import signal
import socket
import time
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from unittest import mock

import fakeredis
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.lock import Lock
from rq import Queue, SimpleWorker, Worker
from rq.job import Job, JobStatus

from netbox_hedgehog import scheduling
from netbox_hedgehog.management.commands.hedgehog_scheduler import SidecarScheduler
from netbox_hedgehog.models import Fabric, Switch, SyncChange, SyncRun
from netbox_hedgehog.sync.engine import create_run
from rq_jobs.sync import schedule_tick
from tests.cluster import WIRING, ClusterTestCase
from tests.test_sync import plugin_settings

MANUAL, SCHEDULE = 'manual', 'schedule'


@contextmanager
def keep_signal_handlers():
    """RQ's worker and rq-scheduler install SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


class FakeRedisMixin:
    """Every django-rq connection of the test is one fakeredis server (`self.redis`)."""

    def setUp(self):
        super().setUp()
        self.redis_server = fakeredis.FakeServer()
        self.redis = fakeredis.FakeRedis(server=self.redis_server)
        patcher = mock.patch('django_rq.connection_utils.get_redis_connection', return_value=self.redis)
        patcher.start()
        self.addCleanup(patcher.stop)

    def queued_ids(self, name):
        return Queue(name, connection=self.redis).job_ids

    def work(self, *queue_names):
        """Run every queued job of `queue_names` in this process, like `netbox rqworker --burst` would."""
        with keep_signal_handlers():
            queues = [Queue(name, connection=self.redis) for name in queue_names]
            SimpleWorker(queues, connection=self.redis).work(burst=True)

    def run_sidecar_once(self):
        """`netbox hedgehog_scheduler --burst`: register, move the due jobs once, exit."""
        with keep_signal_handlers():
            call_command('hedgehog_scheduler', '--burst', stdout=StringIO())

    def make_fabrics(self, count, prefix='f', **fields):
        Fabric.objects.bulk_create([Fabric(name=f'{prefix}{i}', sync_enabled=True, sync_interval=60, **fields)
                                    for i in range(count)])
        return list(Fabric.objects.filter(name__startswith=prefix).order_by('pk'))

    def start_job(self, job_id, started_ago):
        """Make a queued job look started `started_ago` ago by a worker (as if a worker had picked it up)."""
        job = Job.fetch(job_id, connection=self.redis)
        job.started_at = timezone.now() - started_ago
        job.set_status(JobStatus.STARTED)
        job.save()
        return job


class DueSelectionTest(FakeRedisMixin, ClusterTestCase):
    def test_only_enabled_fabrics_whose_time_has_come_are_queued(self):
        now = timezone.now()
        due_never = Fabric.objects.create(name='never-synced', sync_enabled=True)
        due_past = Fabric.objects.create(name='past', sync_enabled=True, next_sync_due=now - timedelta(seconds=1))
        Fabric.objects.create(name='future', sync_enabled=True, next_sync_due=now + timedelta(seconds=30))
        Fabric.objects.create(name='disabled', sync_enabled=False)
        Fabric.objects.create(name='queued', sync_enabled=True, sync_status='queued')
        Fabric.objects.create(name='syncing', sync_enabled=True, sync_status='syncing')

        runs = scheduling.enqueue_due_syncs(now)

        self.assertEqual(sorted(run.fabric.name for run in runs), ['never-synced', 'past'])
        for fabric in (due_never, due_past):
            run = SyncRun.objects.get(fabric=fabric)
            self.assertEqual((run.status, run.trigger, run.queue, run.job_id),
                             ('queued', SCHEDULE, 'default', f'hedgehog-sync-fabric-{fabric.pk}'))
            fabric.refresh_from_db()
            self.assertEqual(fabric.sync_status, 'queued')
        self.assertEqual(sorted(self.queued_ids('default')),
                         sorted(f'hedgehog-sync-fabric-{f.pk}' for f in (due_never, due_past)))
        self.assertEqual(SyncRun.objects.count(), 2)

    def test_a_second_tick_does_not_queue_a_fabric_again(self):
        fabrics = self.make_fabrics(3)
        self.assertEqual(len(scheduling.enqueue_due_syncs()), 3)
        self.assertEqual(scheduling.enqueue_due_syncs(), [])
        self.assertEqual(SyncRun.objects.count(), 3)
        self.assertEqual(len(self.queued_ids('default')), len(fabrics))

    def test_a_fabric_with_a_live_job_is_skipped_even_if_its_status_says_otherwise(self):
        fabric, other = self.make_fabrics(2)
        scheduling.enqueue_sync(fabric, MANUAL)
        Fabric.objects.filter(pk=fabric.pk).update(sync_status='synced', last_sync=timezone.now())
        runs = scheduling.enqueue_due_syncs()
        self.assertEqual([run.fabric_id for run in runs], [other.pk])
        self.assertEqual(SyncRun.objects.filter(fabric=fabric).count(), 1)

    def test_master_tick_runs_a_constant_number_of_queries(self):
        counts = []
        for size in (5, 50):
            SyncRun.objects.all().delete()
            Fabric.objects.all().delete()
            self.redis.flushdb()
            self.make_fabrics(size, prefix=f'n{size}-')
            with CaptureQueriesContext(connection) as queries:
                schedule_tick()
            self.assertEqual(SyncRun.objects.filter(status='queued').count(), size)
            self.assertEqual(len(self.queued_ids('default')), size)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1], f'queries for 5 and 50 due fabrics: {counts}')

    def test_a_second_master_running_at_the_same_time_queues_nothing(self):
        self.make_fabrics(3)
        other_master = self.redis.lock(scheduling.MASTER_LOCK_KEY, timeout=60)
        self.assertTrue(other_master.acquire(blocking=False))
        self.assertEqual(scheduling.enqueue_due_syncs(), [])
        self.assertEqual(SyncRun.objects.count(), 0)
        other_master.release()
        self.assertEqual(len(scheduling.enqueue_due_syncs()), 3)

    def test_sync_now_racing_the_master_keeps_one_run_per_fabric(self):
        fabric, other = self.make_fabrics(2)
        manual = scheduling.enqueue_sync(fabric, MANUAL)
        # The master read the queue before "Sync now" enqueued: it sees no job, and its enqueue meets the duplicate.
        Fabric.objects.filter(pk=fabric.pk).update(sync_status='never_synced')
        with mock.patch.object(Job, 'fetch_many', side_effect=lambda ids, **kw: [None] * len(ids)):
            runs = scheduling.enqueue_due_syncs()
        self.assertEqual([run.fabric_id for run in runs], [other.pk])
        self.assertEqual(list(SyncRun.objects.filter(fabric=fabric)), [manual.run])
        self.assertEqual(self.queued_ids('high'), [f'hedgehog-sync-fabric-{fabric.pk}'])
        self.assertEqual(self.queued_ids('default'), [f'hedgehog-sync-fabric-{other.pk}'])


class SyncNowTest(FakeRedisMixin, ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.fabric = self.make_fabric(sync_enabled=True, sync_interval=60)

    def test_sync_now_goes_to_high_and_pressing_twice_gives_one_run(self):
        first = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertTrue(first.created)
        self.assertEqual((first.queue, first.job_id), ('high', f'hedgehog-sync-fabric-{self.fabric.pk}'))
        self.assertEqual(self.queued_ids('high'), [first.job_id])
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'queued')

        second = scheduling.enqueue_sync(self.fabric, 'api')
        self.assertFalse(second.created)
        self.assertEqual(second.run, first.run)
        self.assertEqual(second.message, f'A sync of fabric fab-1 is already queued (run #{first.run.pk}).')
        self.assertEqual(SyncRun.objects.count(), 1)
        self.assertEqual(self.queued_ids('high'), [first.job_id])

    def test_queued_sync_runs_on_a_worker_and_the_next_press_starts_a_new_one(self):
        first = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.work('high')
        first.run.refresh_from_db()
        self.assertEqual(first.run.status, 'succeeded', first.run.error)
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'synced')
        self.assertIsNotNone(self.fabric.last_sync)
        self.assertTrue(Switch.objects.filter(fabric=self.fabric).exists())
        # The finished job is gone at once: it never blocks the next sync.
        self.assertFalse(self.redis.exists(Job.key_for(first.job_id)))
        again = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertTrue(again.created)
        self.assertNotEqual(again.run, first.run)

    def test_a_failed_job_of_the_same_id_does_not_block(self):
        first = scheduling.enqueue_sync(self.fabric, MANUAL)
        job = Job.fetch(first.job_id, connection=self.redis)
        job.set_status(JobStatus.FAILED)
        SyncRun.objects.filter(pk=first.run.pk).update(status='failed', finished=timezone.now())
        again = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertTrue(again.created, again.message)
        self.assertEqual(Job.fetch(first.job_id, connection=self.redis).get_status(), JobStatus.QUEUED)

    def test_schedule_trigger_uses_default_and_dry_run_has_its_own_slot(self):
        scheduled = scheduling.enqueue_sync(self.fabric, SCHEDULE)
        self.assertEqual(scheduled.queue, 'default')
        dry = scheduling.enqueue_sync(self.fabric, MANUAL, dry_run=True)
        self.assertTrue(dry.created)
        self.assertEqual((dry.queue, dry.job_id), ('high', f'hedgehog-dryrun-fabric-{self.fabric.pk}'))
        self.assertFalse(scheduling.enqueue_sync(self.fabric, MANUAL, dry_run=True).created)
        self.work('high', 'default')
        dry.run.refresh_from_db()
        scheduled.run.refresh_from_db()
        self.assertEqual((dry.run.status, scheduled.run.status), ('succeeded', 'succeeded'))

    def test_redis_unreachable_says_so_and_writes_nothing(self):
        self.redis_server.connected = False
        with self.assertRaises(scheduling.QueueUnavailable) as raised:
            scheduling.enqueue_sync(self.fabric, MANUAL)
        message = str(raised.exception)
        self.assertIn('the sync of fabric fab-1 was not queued', message)
        self.assertIn('cannot reach its task queue', message)
        self.assertEqual(SyncRun.objects.count(), 0)
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'never_synced')

    def test_a_second_job_of_the_fabric_does_nothing_while_the_first_holds_the_lock(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        holder = create_run(self.fabric, 'command')
        self.redis.set(scheduling.sync_lock_key(self.fabric.pk), str(holder.request_id), ex=60)
        self.kube.reset_log()
        self.work('high')
        result.run.refresh_from_db()
        self.assertEqual(result.run.status, 'failed')
        self.assertEqual(result.run.error,
                         f'Another sync of this fabric is running (run #{holder.pk}); this one did nothing.')
        self.assertEqual(self.kube.request_log, [])
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'queued')

    def test_sync_now_while_a_command_line_sync_holds_the_lock_returns_that_sync(self):
        holder = create_run(self.fabric, 'command')
        self.redis.set(scheduling.sync_lock_key(self.fabric.pk), str(holder.request_id), ex=60)
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertFalse(result.created)
        self.assertEqual(result.run, holder)

    def test_a_sync_that_loses_its_lock_stops_without_writing(self):
        original = Lock.reacquire

        def taken_by_another_then_reacquire(lock):
            lock.redis.set(lock.name, 'another-sync', ex=60)
            return original(lock)

        scheduling.enqueue_sync(self.fabric, MANUAL)
        with mock.patch.object(Lock, 'reacquire', taken_by_another_then_reacquire):
            self.work('high')
        run = SyncRun.objects.get()
        self.assertEqual(run.status, 'failed')
        self.assertIn('lost its fabric lock', run.error)
        self.assertEqual(Switch.objects.filter(fabric=self.fabric).count(), 0)
        self.fabric.refresh_from_db()
        self.assertEqual((self.fabric.sync_status, self.fabric.last_sync), ('failed', None))

    def test_the_lock_is_free_after_a_sync(self):
        scheduling.enqueue_sync(self.fabric, MANUAL)
        self.work('high')
        self.assertFalse(self.redis.exists(scheduling.sync_lock_key(self.fabric.pk)))

    def test_command_line_sync_holds_the_lock(self):
        holder = create_run(self.fabric, 'schedule')
        self.redis.set(scheduling.sync_lock_key(self.fabric.pk), str(holder.request_id), ex=60)
        with self.assertRaisesMessage(CommandError, 'Another sync of this fabric is running'):
            call_command('hedgehog_sync', 'fab-1', stdout=StringIO())
        self.redis.delete(scheduling.sync_lock_key(self.fabric.pk))
        call_command('hedgehog_sync', 'fab-1', stdout=StringIO())
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'synced')


class BackoffTest(FakeRedisMixin, ClusterTestCase):
    def test_failing_fabric_is_retried_later_and_later(self):
        # A persistent failure that is not tried again within the run (a 5xx would be, and make the runs longer).
        self.kube.inject(method='GET', status=401, count=None)
        fabric = self.make_fabric(sync_enabled=True, sync_interval=60)
        waits = []
        now = timezone.now()
        for _attempt in range(3):
            self.assertEqual(len(scheduling.enqueue_due_syncs(now)), 1)
            self.work('default')
            fabric.refresh_from_db()
            self.assertEqual(fabric.sync_status, 'failed')
            self.assertEqual(scheduling.enqueue_due_syncs(fabric.next_sync_due - timedelta(seconds=1)), [])
            waits.append(round((fabric.next_sync_due - fabric.last_sync_attempt).total_seconds()))
            now = fabric.next_sync_due
        self.assertEqual(waits, [120, 240, 480])
        self.assertIn('retrying with backoff after 3 failed attempt(s)', scheduling.next_sync_time(fabric).text)
        self.assertEqual(SyncRun.objects.filter(status='failed').count(), 3)


class RecoveryTest(FakeRedisMixin, ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.fabric = self.make_fabric(sync_enabled=True, sync_interval=60)
        scheduling.run_locked(create_run(self.fabric, 'command'))
        self.fabric.refresh_from_db()
        self.last_sync = self.fabric.last_sync

    def assert_fabric_failed_with(self, message):
        self.fabric.refresh_from_db()
        self.assertEqual(self.fabric.sync_status, 'failed')
        self.assertEqual(self.fabric.last_sync, self.last_sync)
        self.assertEqual(self.fabric.last_sync_error, message)
        self.assertEqual(self.fabric.failure_count, 1)
        self.assertGreater(self.fabric.next_sync_due, timezone.now() + timedelta(seconds=100))

    def test_run_whose_job_vanished_is_failed(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.redis.flushdb()
        recovered = scheduling.recover_stale_runs()
        self.assertEqual(recovered, [result.run])
        result.run.refresh_from_db()
        self.assertEqual(result.run.status, 'failed')
        self.assertIn('disappeared from the task queue', result.run.error)
        self.assert_fabric_failed_with(result.run.error)

    def test_run_of_a_killed_worker_is_failed_after_the_lock_ttl(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.start_job(result.job_id, started_ago=timedelta(seconds=61))
        SyncRun.objects.filter(pk=result.run.pk).update(status='running', started=timezone.now())
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status='syncing')
        self.assertEqual(schedule_tick(), '0 sync(s) queued, 1 dead run(s) failed')
        result.run.refresh_from_db()
        self.assertEqual(result.run.status, 'failed')
        self.assertIn('The worker running this sync stopped (killed or crashed)', result.run.error)
        self.assert_fabric_failed_with(result.run.error)

    def test_running_sync_holding_its_lock_or_just_started_is_left_alone(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.start_job(result.job_id, started_ago=timedelta(seconds=5))
        self.assertEqual(scheduling.recover_stale_runs(), [])
        self.start_job(result.job_id, started_ago=timedelta(seconds=600))
        self.redis.set(scheduling.sync_lock_key(self.fabric.pk), str(result.run.request_id), ex=60)
        self.assertEqual(scheduling.recover_stale_runs(), [])
        again = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertFalse(again.created)
        self.assertEqual(again.message, f'A sync of fabric fab-1 is already queued (run #{result.run.pk}).')

    def test_sync_now_after_a_killed_worker_starts_a_new_sync(self):
        dead = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.start_job(dead.job_id, started_ago=timedelta(seconds=120))
        fresh = scheduling.enqueue_sync(self.fabric, MANUAL)
        self.assertTrue(fresh.created, fresh.message)
        dead.run.refresh_from_db()
        self.assertEqual(dead.run.status, 'failed')
        self.work('high')
        fresh.run.refresh_from_db()
        self.assertEqual(fresh.run.status, 'succeeded', fresh.run.error)
        self.fabric.refresh_from_db()
        self.assertEqual((self.fabric.sync_status, self.fabric.failure_count), ('synced', 0))

    def test_job_that_ended_without_finishing_its_run(self):
        result = scheduling.enqueue_sync(self.fabric, MANUAL)
        Job.fetch(result.job_id, connection=self.redis).set_status(JobStatus.STOPPED)
        scheduling.recover_stale_runs()
        result.run.refresh_from_db()
        self.assertEqual(result.run.error, 'The sync job ended (stopped) without finishing the run: it timed out or '
                                           'crashed; see the worker log.')

    def test_command_line_run_whose_process_died(self):
        run = create_run(self.fabric, 'command')
        self.assertEqual(scheduling.recover_stale_runs(), [])
        SyncRun.objects.filter(pk=run.pk).update(created=timezone.now() - timedelta(seconds=61))
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status='syncing')
        self.assertEqual(scheduling.recover_stale_runs(), [run])
        self.assert_fabric_failed_with(scheduling.PROCESS_GONE)

    def test_fabric_left_syncing_without_any_run_returns_to_its_last_outcome(self):
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status='syncing')
        never = Fabric.objects.create(name='never', sync_status='queued')
        scheduling.recover_stale_runs()
        self.fabric.refresh_from_db()
        never.refresh_from_db()
        self.assertEqual((self.fabric.sync_status, never.sync_status), ('synced', 'never_synced'))


class RetentionTest(FakeRedisMixin, ClusterTestCase):
    def make_runs(self, fabric, ages_in_days, status='succeeded'):
        now = timezone.now()
        runs = []
        for age in ages_in_days:
            run = SyncRun.objects.create(fabric=fabric, trigger=SCHEDULE, status=status,
                                         finished=now if status != 'queued' else None)
            SyncRun.objects.filter(pk=run.pk).update(created=now - timedelta(days=age))
            SyncChange.objects.create(run=run, kind='Switch', name=f's{age}', action='create')
            runs.append(run)
        return runs

    def test_keeps_the_newest_runs_per_fabric_and_drops_old_ones(self):
        big = Fabric.objects.create(name='big')
        small = Fabric.objects.create(name='small')
        big_runs = self.make_runs(big, [1, 2, 3, 4, 5])
        active = self.make_runs(big, [6], status='queued')
        small_runs = self.make_runs(small, [1, 40])
        with plugin_settings(sync_history_per_fabric=3, sync_history_days=30):
            with CaptureQueriesContext(connection) as queries:
                deleted = scheduling.trim_sync_history()
        self.assertEqual(deleted, 3)
        self.assertEqual(set(SyncRun.objects.all()), {*big_runs[:3], *active, small_runs[0]})
        self.assertEqual(SyncChange.objects.count(), 5)
        self.assertEqual(len([q for q in queries if q['sql'].startswith('DELETE')]), 2)

    def test_zero_days_keeps_runs_of_any_age(self):
        fabric = Fabric.objects.create(name='old')
        self.make_runs(fabric, [400, 800])
        with plugin_settings(sync_history_per_fabric=5, sync_history_days=0):
            self.assertEqual(scheduling.trim_sync_history(), 0)
        self.assertEqual(SyncRun.objects.count(), 2)


class HealthTest(FakeRedisMixin, ClusterTestCase):
    def test_everything_missing_is_reported_in_plain_words(self):
        problems = scheduling.queue_health()
        self.assertEqual(len(problems), 5, problems)
        self.assertTrue(problems[0].startswith('No worker is listening on the "high" queue'))
        self.assertIn('sidecar (`netbox hedgehog_scheduler`) is not running', problems[3])
        self.assertIn('periodic sync schedule is not registered', problems[4])

    def test_healthy_setup_reports_nothing_and_a_stale_heartbeat_is_noticed(self):
        Worker([Queue(name, connection=self.redis) for name in ('high', 'default', 'low')],
               connection=self.redis).register_birth()
        self.run_sidecar_once()
        scheduling.record_tick()
        self.assertEqual(scheduling.queue_health(), [])
        self.redis.set(scheduling.HEARTBEAT_KEY, timezone.now().timestamp() - 600)
        self.assertEqual(len(problems := scheduling.queue_health()), 1)
        self.assertRegex(problems[0], r'last reported 60\d s ago')

    def test_redis_unreachable(self):
        self.redis_server.connected = False
        problems = scheduling.queue_health()
        self.assertEqual(len(problems), 1)
        self.assertIn('cannot reach its task queue', problems[0])


class SilentRedisTest(TestCase):
    def test_a_redis_host_that_never_answers_is_reported_within_the_timeout(self):
        # A listening socket nobody reads: the kernel accepts the connection, no answer ever comes.
        with socket.create_server(('127.0.0.1', 0)) as silent:
            queues = {name: {**config, 'HOST': '127.0.0.1', 'PORT': silent.getsockname()[1]}
                      for name, config in settings.RQ_QUEUES.items()}
            with override_settings(RQ_QUEUES=queues), mock.patch.object(scheduling.queues, 'REDIS_TIMEOUT', 0.5):
                started = time.monotonic()
                problems = scheduling.queue_health()
                waited = time.monotonic() - started
        self.assertEqual(len(problems), 1)
        self.assertIn('cannot reach its task queue', problems[0])
        self.assertIn('Timeout', problems[0])
        self.assertLess(waited, 5)


class SidecarTest(FakeRedisMixin, ClusterTestCase):
    def status(self):
        out = StringIO()
        call_command('hedgehog_scheduler', '--status', stdout=out)
        return out.getvalue()

    def test_restarts_leave_exactly_one_master_schedule(self):
        for _restart in range(5):
            self.run_sidecar_once()
        entries = self.redis.zrange(scheduling.SCHEDULED_JOBS_KEY, 0, -1)
        self.assertEqual(sorted(entries), [b'hedgehog-housekeeping', b'hedgehog-master-schedule'])
        job = Job.fetch(scheduling.MASTER_JOB_ID, connection=self.redis)
        self.assertEqual((job.meta['interval'], job.origin, job.result_ttl), (60, 'default', -1))
        self.assertIn(scheduling.MASTER_JOB_ID, self.queued_ids('default'))
        self.assertIn(scheduling.HOUSEKEEPING_JOB_ID, self.queued_ids('low'))

    def test_status_exits_non_zero_until_the_schedule_is_registered(self):
        with self.assertRaisesMessage(CommandError, 'The master schedule is not registered'):
            self.status()
        self.run_sidecar_once()
        output = self.status()
        self.assertIn('Master schedule (hedgehog-master-schedule): registered, every 60 s; next run ', output)
        self.assertIn('Last tick: never', output)
        self.assertRegex(output, r'Scheduler heartbeat: .* \([0-9] s ago\)')

    def test_redis_unreachable_is_reported_in_plain_words(self):
        self.redis_server.connected = False
        with self.assertRaisesMessage(CommandError, 'cannot reach its task queue'):
            self.run_sidecar_once()
        with self.assertRaisesMessage(CommandError, 'so the schedule cannot be read'):
            self.status()

    def test_a_vanished_schedule_is_registered_again_by_the_loop(self):
        self.run_sidecar_once()
        loop = SidecarScheduler(connection=self.redis, interval=5)
        for vanish in (lambda: self.redis.zrem(scheduling.SCHEDULED_JOBS_KEY, scheduling.MASTER_JOB_ID),
                       lambda: self.redis.delete(Job.key_for(scheduling.MASTER_JOB_ID)),
                       self.redis.flushdb):
            vanish()
            self.assertFalse(scheduling.schedule_status().registered)
            loop.enqueue_jobs()
            self.assertTrue(scheduling.schedule_status().registered)
        self.assertEqual(self.redis.zcard(scheduling.SCHEDULED_JOBS_KEY), 2)


class NextSyncTimeTest(FakeRedisMixin, ClusterTestCase):
    def test_texts(self):
        now = timezone.now()
        off = Fabric(name='off', sync_enabled=False)
        self.assertEqual(scheduling.next_sync_time(off).text, 'Not scheduled: scheduled sync is off for this fabric.')
        fresh = Fabric(name='fresh', sync_enabled=True)
        self.assertEqual(scheduling.next_sync_time(fresh, now),
                         scheduling.NextSync(None, 'At the next scheduler tick (within 60 s).'))
        later = Fabric(name='later', sync_enabled=True, next_sync_due=now + timedelta(minutes=5))
        self.assertEqual(scheduling.next_sync_time(later, now).when, later.next_sync_due)
