"""Health of the task queue, in plain words for the fabric page, the REST API and `netbox hedgehog_scheduler
--status`: Redis reachable, a worker on every queue, the sidecar alive, the master schedule registered and ticking."""
from django.utils import timezone
from netbox.constants import RQ_QUEUE_DEFAULT, RQ_QUEUE_HIGH, RQ_QUEUE_LOW
from redis.exceptions import RedisError
from rq import Worker
from rq.scheduler import RQScheduler

from netbox_hedgehog import get_setting

from . import queues
from .schedules import heartbeat_stale_after, schedule_status, sidecar_poll_interval

__all__ = (
    'queue_health',
)

# What stops working when no worker listens on a queue.
QUEUE_ROLES = (
    (RQ_QUEUE_HIGH, 'syncs people ask for ("Sync now", the REST API) stay queued'),
    (RQ_QUEUE_DEFAULT, 'the master schedule and the scheduled syncs never run'),
    (RQ_QUEUE_LOW, 'housekeeping (sync history retention, recovery of dead runs) never runs'),
)


def _listening(connection, workers):
    """The queues some running worker listens on.

    Workers register their queues when they start. After a Redis restart a running worker's registration is gone (or
    comes back without its queues) until the worker itself restarts, but the scheduler every `netbox rqworker` runs
    takes the scheduler lock of each of its queues again within seconds: a queue whose lock is held has a worker.
    """
    listening = {name for worker in workers for name in worker.queue_names()}
    missing = [name for name, _consequence in QUEUE_ROLES if name not in listening]
    if missing:
        locks = connection.mget([RQScheduler.get_locking_key(name) for name in missing])
        listening.update(name for name, lock in zip(missing, locks, strict=True) if lock)
    return listening


def queue_health():
    """Plain-words problems that keep syncs from running (an empty list when all is well): Redis unreachable, no
    worker on a queue, the sidecar stopped, the master schedule missing or not ticking."""
    try:
        connection = queues.redis_connection()
        connection.ping()
        listening = _listening(connection, Worker.all(connection=connection))
        status = schedule_status(connection)
    except RedisError as e:
        return [queues.unreachable_message(e, 'no sync can be queued or run')]
    problems = []
    for name, consequence in QUEUE_ROLES:
        if name not in listening:
            problems.append(f'No worker is listening on the "{name}" queue, so {consequence}: '
                            f'start `netbox rqworker`.')
    now = timezone.now()
    if status.heartbeat is None:
        problems.append('The scheduler sidecar (`netbox hedgehog_scheduler`) is not running, so scheduled syncs do '
                        'not start: run it next to the workers.')
    elif (age := (now - status.heartbeat).total_seconds()) > heartbeat_stale_after():
        problems.append(f'The scheduler sidecar (`netbox hedgehog_scheduler`) last reported {int(age)} s ago, so '
                        f'scheduled syncs do not start: check that it is running.')
    if not status.registered:
        problems.append('The periodic sync schedule is not registered in Redis, so no fabric is synced on schedule: '
                        'start `netbox hedgehog_scheduler` (it registers the schedule, and registers it again when '
                        'it vanishes).')
    elif status.last_tick is not None:
        interval = get_setting('scheduler_interval')
        age = (now - status.last_tick).total_seconds()
        if age > 2 * interval + sidecar_poll_interval() + 10:
            problems.append(f'The master schedule last ran {int(age)} s ago although it should run every '
                            f'{interval} s, so scheduled syncs are late: check the workers on the "default" queue.')
    return problems
