"""GitOps: the fabric's desired state in a Git repository.

`reader.desired_state` is the one entry point of the sync: it fetches the fabric's branch and returns the desired
state of its head commit. `repository` keeps one cached clone per fabric and talks to the remote, `credentials` hands
the fabric's token or SSH key to git without writing it anywhere, `documents` and `writer` turn an edit made in
NetBox into a commit (queued by `netbox_hedgehog.signal_receivers`, run by the RQ jobs of `rq_jobs.git`). Manifests
are parsed by `netbox_hedgehog.loader`. Imports nothing of the sync engine, the views or the jobs.
"""
from .reader import desired_state
from .repository import GitError

__all__ = (
    'GitError',
    'desired_state',
)
