"""Scheduled and on-demand syncs on NetBox's own RQ queues (django-rq and rq-scheduler), one concern per module:

- `queues`: the tasks Redis, the queues, job and lock names, "cannot reach its task queue";
- `health`: what keeps syncs from running, in plain words;
- `enqueue`: "Sync now" (queue `high`) and the master's fan-out to the due fabrics (queue `default`);
- `runner`: running a sync under its fabric lock;
- `recovery`: failing the runs nobody works on any more;
- `history`: the retention of finished runs;
- `schedules`: the master and housekeeping schedules of rq-scheduler, the sidecar heartbeat, the next sync time.

Who runs what: the web server and the REST API call `enqueue_sync`; `netbox hedgehog_scheduler` (the sidecar) keeps
the schedules registered with rq-scheduler under fixed job ids and moves them to their queues when due; `netbox
rqworker` runs the jobs of `rq_jobs.sync`: the master job (`default`) calls `recover_stale_runs` and
`enqueue_due_syncs`, housekeeping (`low`) calls `trim_sync_history` and `recover_stale_runs`.

One sync in flight per fabric, in layers: the fixed job id per fabric (`enqueue`), the fabric lock (`runner`), the
recovery of dead runs (`recovery`).
"""
from .enqueue import *
from .health import *
from .history import *
from .queues import *
from .recovery import *
from .runner import *
from .schedules import *
