"""The project's own demo fabric: YAML files under deploy/dev/fabric/, loaded by `make demo` and the test suite.

Files, in the order a fabric is built (each one references only objects of itself and of the files before it):
wiring (namespaces, switches, servers, connections, externals), gateway, vpcs (two VPCs and their attachments) and
peerings (a third VPC, a VPC peering and an external peering: a later step of a GitOps history). agents holds what the
switches report (Agents, served by the Kubernetes API test server only: they are no NetBox kind). controller holds the
fabric controller's settings (the ConfigMap fab/fabric-ctrl-config). The demo's preflight imports this module with any
Python: it needs nothing beyond the standard library.
"""
from pathlib import Path

__all__ = (
    'AGENTS',
    'CONTROLLER',
    'FABRIC_DIR',
    'FILES',
    'GATEWAY',
    'PEERINGS',
    'VPCS',
    'WIRING',
)

FABRIC_DIR = Path(__file__).resolve().parents[1] / 'fabric'
WIRING = FABRIC_DIR / 'wiring.yaml'
GATEWAY = FABRIC_DIR / 'gateway.yaml'
VPCS = FABRIC_DIR / 'vpcs.yaml'
PEERINGS = FABRIC_DIR / 'peerings.yaml'
FILES = (WIRING, GATEWAY, VPCS, PEERINGS)
AGENTS = FABRIC_DIR / 'agents.yaml'
CONTROLLER = FABRIC_DIR / 'controller.yaml'
