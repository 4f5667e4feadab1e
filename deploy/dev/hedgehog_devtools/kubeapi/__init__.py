"""A Kubernetes API test server for the Hedgehog custom resources (HTTPS, bearer tokens, fault injection).

Writes honour a server-side dry run (``dryRun=All``: checked and answered, nothing stored); ``inject`` can make a
write fail the way an admission webhook refuses it (422 with a Status message).

See ``server.KubeAPIServer`` for the Python API and ``__main__`` for the command line.
"""
from .server import KubeAPIServer, LoadResult

__all__ = (
    'KubeAPIServer',
    'LoadResult',
)
