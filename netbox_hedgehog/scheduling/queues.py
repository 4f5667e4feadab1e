"""NetBox's task queue (its `REDIS['tasks']` Redis, through django-rq): the connection, the queues, the names of a
fabric's sync job and lock, and the plain-words error raised when Redis cannot be reached.

Every Redis connection comes from django-rq, built from NetBox's `RQ_QUEUES`: this package knows no Redis address.
"""
from contextlib import contextmanager
from datetime import UTC, datetime

import django_rq
from netbox.constants import RQ_QUEUE_DEFAULT
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

__all__ = (
    'QueueUnavailable',
    'decode',
    'redis_connection',
    'redis_errors',
    'rq_queue',
    'sync_job_id',
    'sync_lock_key',
    'timestamp',
    'unreachable_message',
)

# Seconds to connect to the tasks Redis and to wait for each answer, and how often a command is tried again after a
# timeout or a dropped connection (see redis_connection).
REDIS_TIMEOUT = 3
REDIS_RETRIES = 1


class QueueUnavailable(Exception):
    """NetBox's task queue (Redis) cannot be reached, so nothing was queued or changed. The message is for people."""


def sync_job_id(fabric_id, dry_run=False):
    """The fixed RQ job id of a fabric's sync (dry runs have their own, so they never block a real sync)."""
    return f'hedgehog-{"dryrun" if dry_run else "sync"}-fabric-{fabric_id}'


def sync_lock_key(fabric_id, dry_run=False):
    """The Redis key of the lock held while a fabric is synced (dry runs write nothing and use their own)."""
    return f'hedgehog-{"dryrun" if dry_run else "sync"}-lock-{fabric_id}'


def redis_connection():
    """NetBox's tasks Redis, as django-rq builds it from RQ_QUEUES (all three queues share it).

    Connecting and every answer take at most REDIS_TIMEOUT seconds (or less where NetBox's REDIS['tasks']['KWARGS']
    ask for less), tried REDIS_RETRIES more times: the fabric page, the status API and the Sync now button must
    report a Redis host that does not answer within seconds, where redis-py's own retries would wait about a
    minute. (Nothing here issues blocking commands.)
    """
    connection = django_rq.get_connection(RQ_QUEUE_DEFAULT)
    kwargs = connection.connection_pool.connection_kwargs
    for name in ('socket_connect_timeout', 'socket_timeout'):
        kwargs[name] = min(kwargs.get(name) or REDIS_TIMEOUT, REDIS_TIMEOUT)
    kwargs['retry'] = Retry(NoBackoff(), REDIS_RETRIES)
    return connection


def rq_queue(name, connection):
    """An RQ queue of NetBox's. It enqueues at once, also inside a transaction: callers order their writes around the
    enqueue themselves, and the job copes with starting before they commit (it gets or creates its run by request
    id)."""
    return django_rq.get_queue(name, connection=connection, commit_mode='auto')


def unreachable_message(error, consequence):
    """A plain-words report that Redis cannot be reached, with the library's detail last."""
    return (f"NetBox cannot reach its task queue (the Redis server of its REDIS['tasks'] setting), so {consequence}. "
            f'Check that Redis is running and reachable from NetBox. Detail: {error}')


@contextmanager
def redis_errors(consequence):
    """Turn a Redis error inside the block into QueueUnavailable saying that `consequence` followed."""
    try:
        yield
    except RedisError as e:
        raise QueueUnavailable(unreachable_message(e, consequence)) from e


def decode(value):
    """A Redis answer as text (None stays None)."""
    return value.decode() if isinstance(value, bytes) else value


def timestamp(value):
    """A unix time stored in Redis as an aware datetime (None stays None)."""
    return datetime.fromtimestamp(float(value), UTC) if value is not None else None
