"""The demo fabric's Agents with heartbeats moved to the present, so that a served fabric stays "fresh".

The heartbeats in agents.yaml are relative to the newest one; `put_agents()` shifts every heartbeat by the same
amount so that the newest is `now` and stores the Agents in a Kubernetes API test server (status changes do not
bump an Agent's generation).
"""
from datetime import UTC, datetime

import yaml

from .fabric import AGENTS

__all__ = (
    'agent_documents',
    'put_agents',
)

FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def agent_documents(now=None, path=AGENTS):
    """The Agent documents of `path`, their heartbeats moved so that the newest one is `now` (UTC)."""
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    beats = [datetime.strptime(doc['status']['lastHeartbeat'], FORMAT).replace(tzinfo=UTC) for doc in documents]
    shift = (now or datetime.now(UTC)) - max(beats)
    for doc, beat in zip(documents, beats, strict=True):
        doc['status']['lastHeartbeat'] = (beat + shift).strftime(FORMAT)
    return documents


def put_agents(server, now=None, path=AGENTS):
    """Store the (refreshed) Agents in `server` (a KubeAPIServer); return how many."""
    documents = agent_documents(now, path)
    for document in documents:
        server.put(document)
    return len(documents)
