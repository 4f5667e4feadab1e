"""GitOps: the fabric's desired state in a Git repository.

`repository` keeps one cached clone per fabric and talks to the remote, `credentials` hands the fabric's token or SSH
key to git without writing it anywhere, `reader` loads the desired state of a commit, `documents` and `writer` turn an
edit made in NetBox into a commit, and `signals` queues that commit when a person changes an object. Imports no
views; the sync engine and the RQ job in `rq_jobs.git` call it.
"""
