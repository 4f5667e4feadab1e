"""`netbox hedgehog_scheduler`: the sidecar process that keeps the periodic sync schedule alive in rq-scheduler."""
import logging
import time

import django_rq
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_rq.queues import DjangoScheduler
from netbox.constants import RQ_QUEUE_DEFAULT
from redis.exceptions import RedisError
from rq_scheduler.utils import setup_loghandlers

from netbox_hedgehog import get_setting, scheduling


class SidecarScheduler(DjangoScheduler):
    """rq-scheduler's loop, which also writes the sidecar heartbeat and registers a vanished schedule again."""

    def heartbeat(self):
        """Every loop: rq-scheduler's own liveness key, and the heartbeat `queue_health` and --status read."""
        super().heartbeat()
        scheduling.record_sidecar_heartbeat(self.connection)

    def enqueue_jobs(self):
        """Every loop, holding rq-scheduler's lock (one sidecar at a time): register a vanished schedule, then move
        the due jobs to their queues."""
        if registered := scheduling.register_schedules(self, missing_only=True):
            self.log.warning('Registered again after it vanished from Redis: %s', ', '.join(registered))
        return super().enqueue_jobs()


def _when(moment, now):
    if moment is None:
        return 'never'
    seconds = (moment - now).total_seconds()
    relative = f'in {int(seconds)} s' if seconds > 0 else f'{int(-seconds)} s ago'
    return f'{moment:%Y-%m-%d %H:%M:%S} UTC ({relative})'


class Command(BaseCommand):
    help = (
        'The Hedgehog scheduler sidecar: registers the periodic sync schedule (every scheduler_interval seconds) and '
        'housekeeping with rq-scheduler under fixed job ids, then runs rq-scheduler\'s loop on NetBox\'s Redis, '
        'registering the schedule again whenever it vanishes. Run one (or more) next to `netbox rqworker`.'
    )
    # The sidecar serves no URLs: skipping the system checks (which build the URLconf and the GraphQL schema) lets it
    # start, and restart, in a fraction of the time.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            '--status', action='store_true',
            help='Print the schedule, its next run, the last tick and the sidecar heartbeat; exit 1 when the master '
                 'schedule is not registered',
        )
        parser.add_argument('--burst', action='store_true', help='Register, move the due jobs once, and exit')

    def handle(self, *args, status, burst, verbosity, **options):
        if status:
            self.show_status()
            return
        setup_loghandlers({0: 'WARNING', 1: 'INFO'}.get(verbosity, 'DEBUG'))
        # rq-scheduler's own handler prints its lines once; the root logger would repeat them.
        logging.getLogger('rq_scheduler.scheduler').propagate = False
        poll = scheduling.sidecar_poll_interval()
        self.stdout.write(
            f'Hedgehog scheduler: master schedule every {get_setting("scheduler_interval")} s, checked every {poll} s'
        )
        while True:
            try:
                connection = django_rq.get_connection(RQ_QUEUE_DEFAULT)
                queue = django_rq.get_queue(RQ_QUEUE_DEFAULT, connection=connection)
                scheduler = SidecarScheduler(queue_name=RQ_QUEUE_DEFAULT, queue=queue, interval=poll,
                                             connection=connection, job_class=queue.job_class)
                scheduling.register_schedules(scheduler)
                scheduler.run(burst=burst)
                return
            except RedisError as e:
                if burst:
                    raise CommandError(scheduling.unreachable_message(e, 'the schedule could not be registered'))
                self.stderr.write(scheduling.unreachable_message(e, f'no sync is scheduled; retrying in {poll} s'))
                time.sleep(poll)

    def show_status(self):
        try:
            state = scheduling.schedule_status()
            problems = scheduling.queue_health()
        except RedisError as e:
            raise CommandError(scheduling.unreachable_message(e, 'the schedule cannot be read'))
        now = timezone.now()
        interval = get_setting('scheduler_interval')
        if state.registered:
            self.stdout.write(f'Master schedule ({scheduling.MASTER_JOB_ID}): registered, every {interval} s; '
                              f'next run {_when(state.next_run, now)}')
        else:
            self.stdout.write(f'Master schedule ({scheduling.MASTER_JOB_ID}): NOT registered')
        housekeeping = 'registered' if state.housekeeping_registered else 'NOT registered'
        self.stdout.write(f'Housekeeping ({scheduling.HOUSEKEEPING_JOB_ID}): {housekeeping}; '
                          f'next run {_when(state.housekeeping_next_run, now)}')
        self.stdout.write(f'Last tick: {_when(state.last_tick, now)}')
        self.stdout.write(f'Scheduler heartbeat: {_when(state.heartbeat, now)}')
        for problem in problems:
            self.stdout.write(f'Problem: {problem}')
        if not state.registered:
            raise CommandError('The master schedule is not registered: start `netbox hedgehog_scheduler`.')
