"""Test support: a Kubernetes API test server per test class, and fabrics that point at it over real HTTPS."""
from pathlib import Path

from django.test import TestCase

from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.sync.engine import create_run, run_sync
from hedgehog_devtools.kubeapi import KubeAPIServer

SAMPLES = Path(__file__).resolve().parents[2] / 'shared' / 'samples'
LAB_WIRING = SAMPLES / 'lab-ci__envs__env-ci-1.l__wiring.yaml'


class ClusterTestCase(TestCase):
    """A TestCase with `self.kube`, an HTTPS Kubernetes API server emptied before every test."""
    kube_tokens = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kube = KubeAPIServer(tokens=cls.kube_tokens).start()

    @classmethod
    def tearDownClass(cls):
        cls.kube.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.kube.clear()
        self.kube.clear_faults()
        self.kube.latency = 0
        for kind_spec in KINDS:
            self.kube.install(kind_spec.kind)

    def make_fabric(self, name='fab-1', token=None, **fields):
        return Fabric.objects.create(name=name, kubeconfig=self.kube.kubeconfig(token=token), **fields)

    def sync(self, fabric, dry_run=False):
        return run_sync(create_run(fabric, SyncTriggerChoices.COMMAND, dry_run=dry_run))
