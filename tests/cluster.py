"""Test support: a Kubernetes API test server per test class, fabrics that point at it over real HTTPS, and the
fabric data the tests load (the project's demo fabric, deploy/dev/fabric/)."""
import yaml
from django.test import TestCase

from hedgehog_devtools.agents import put_agents
from hedgehog_devtools.fabric import CONTROLLER, FILES, GATEWAY, PEERINGS, VPCS, WIRING
from hedgehog_devtools.kubeapi import KubeAPIServer
from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.sync.engine import create_run, run_sync
from tests.harness import SAMPLES, needs_samples

__all__ = (
    'CONTROLLER_SETTINGS',
    'FABRIC_COUNTS',
    'FILES',
    'GATEWAY',
    'PEERINGS',
    'SAMPLES',
    'VPCS',
    'WIRING',
    'ClusterTestCase',
    'KubeAPIServerMixin',
    'needs_samples',
)

# Objects per kind in each file of the demo fabric.
FABRIC_COUNTS = {
    WIRING: {'VLANNamespace': 1, 'IPv4Namespace': 1, 'SwitchGroup': 2, 'Switch': 6, 'Server': 8, 'Connection': 18,
             'External': 2, 'ExternalAttachment': 3},
    GATEWAY: {'GatewayGroup': 1, 'Gateway': 1, 'Connection': 2},
    VPCS: {'VPC': 2, 'VPCAttachment': 4},
    PEERINGS: {'VPC': 1, 'VPCAttachment': 2, 'VPCPeering': 1, 'ExternalPeering': 1},
}

# The demo controller's settings (its config.yaml), as the tests give them to a test server with put_fabric_settings.
CONTROLLER_SETTINGS = yaml.safe_load(yaml.safe_load(CONTROLLER.read_text())['data']['config.yaml'])


class KubeAPIServerMixin:
    """`cls.kube`: a Kubernetes API test server (HTTPS) for the test class, started once and stopped after it."""
    kube_tokens = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kube = KubeAPIServer(tokens=cls.kube_tokens).start()

    @classmethod
    def tearDownClass(cls):
        cls.kube.stop()
        super().tearDownClass()


class ClusterTestCase(KubeAPIServerMixin, TestCase):
    """A TestCase with `self.kube`, an HTTPS Kubernetes API server emptied before every test."""

    def setUp(self):
        super().setUp()
        self.kube.clear()
        self.kube.clear_faults()
        self.kube.latency = 0
        for kind_spec in KINDS:
            self.kube.install(kind_spec.kind)

    def load_live_fabric(self, *paths):
        """The Agent kind installed, the objects of `paths` loaded and every switch's Agent (demo status) put."""
        self.kube.install('Agent')
        for path in paths:
            self.kube.load_yaml(path)
        put_agents(self.kube)

    def make_fabric(self, name='fab-1', token=None, **fields):
        return Fabric.objects.create(name=name, kubeconfig=self.kube.kubeconfig(token=token), **fields)

    def sync(self, fabric, dry_run=False):
        return run_sync(create_run(fabric, SyncTriggerChoices.COMMAND, dry_run=dry_run))
