"""A Kubernetes API test server for the Hedgehog custom resources (HTTPS, bearer tokens, fault injection).

See ``server.KubeAPIServer`` for the Python API and ``__main__`` for the command line.
"""
from .server import KubeAPIServer, LoadResult

__all__ = (
    'KubeAPIServer',
    'LoadResult',
)
