"""End to end (#13): a fabric whose write mode is "cluster" applies edits made in NetBox to its Kubernetes API, with
a real `netbox rqworker` and the HTTPS Kubernetes API test server. Each write is first a server-side dry run; a
webhook refusal, a 409 conflict and a stale delete precondition leave the cluster untouched with the API server's
message (a refused deletion is listed on the fabric page); an applied edit stays "pending apply" until the next
sync confirms it.
"""
import copy
import tempfile

import django_rq
import yaml
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TransactionTestCase
from django.urls import reverse
from rq.job import Job
from rq.registry import FailedJobRegistry

from hedgehog_devtools.processes import ProcessError, Processes, environment
from netbox_hedgehog.choices import SyncTriggerChoices
from netbox_hedgehog.models import VPC, Fabric
from netbox_hedgehog.sync.engine import create_run, run_sync
from tests.cluster import VPCS, WIRING, KubeAPIServerMixin

# Starting `netbox rqworker` takes a few seconds, more on a busy machine; a job is picked up within seconds.
BOOT = 120
JOB = 60
WEBHOOK = 'admission webhook "vpc.validating.githedgehog.com" denied the request: VLAN 1999 is reserved'


class ClusterWriteEndToEndTest(KubeAPIServerMixin, TransactionTestCase):
    def setUp(self):
        super().setUp()
        self.kube.clear()
        self.kube.clear_faults()
        # The wiring holds the namespaces and connections the VPC file names (edits are judged with them).
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(VPCS)
        self.redis = django_rq.get_connection('default')
        self.redis.flushdb()
        directory = tempfile.TemporaryDirectory(prefix='hedgehog-e2e-')
        self.addCleanup(directory.cleanup)
        self.processes = Processes(directory.name, environment(PGDATABASE=connection.settings_dict['NAME']))
        self.addCleanup(lambda: print(self.processes.tails()))
        self.addCleanup(self.processes.kill_all)
        self.fabric = Fabric.objects.create(name='lab', kubeconfig=self.kube.kubeconfig(), write_mode='cluster')
        self.sync()
        user = get_user_model().objects.create_superuser('admin', 'admin@example.com', 'x')
        self.client.force_login(user)
        self.processes.worker('cluster-worker', 'default')
        try:
            self.processes.wait_ready('cluster-worker', timeout=BOOT)
        except ProcessError as error:
            self.fail(str(error))

    def wait_for(self, condition, timeout, message):
        try:
            return self.processes.wait_for(condition, timeout, message)
        except ProcessError as error:
            self.fail(str(error))

    def sync(self):
        run = run_sync(create_run(self.fabric, SyncTriggerChoices.COMMAND))
        self.assertEqual(run.status, 'succeeded', run.error)
        return run

    def vlan_in_cluster(self, name):
        return self.kube.get('VPC', name)['spec']['subnets']['default']['vlan']

    def edit_vlan(self, vpc, vlan):
        """Change the VPC's VLAN with the edit form, as a person would."""
        spec = copy.deepcopy(vpc.spec)
        spec['subnets']['default']['vlan'] = vlan
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_edit', args=[vpc.pk]), {
            'fabric': self.fabric.pk, 'name': vpc.name, 'spec': yaml.safe_dump(spec),
            'labels': yaml.safe_dump(vpc.labels) if vpc.labels else '', 'annotations': '',
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])

    def apply_failure(self, vpc):
        """The apply error the job left on the object, once it has failed."""
        def failed():
            row = VPC.objects.get(pk=vpc.pk)
            return row.apply_error if row.apply_pending_since is None and row.apply_error else None
        return self.wait_for(failed, JOB, f'the apply of {vpc.name} did not fail')

    def test_edits_reach_the_cluster_or_fail_with_its_message(self):
        vpc = VPC.objects.get(fabric=self.fabric, name='vpc-1')
        original = self.vlan_in_cluster('vpc-1')

        # An edit reaches the cluster and stays pending until the next sync confirms it.
        self.edit_vlan(vpc, 1999)
        self.assertIsNotNone(VPC.objects.get(pk=vpc.pk).apply_pending_since)
        self.wait_for(lambda: self.vlan_in_cluster('vpc-1') == 1999, JOB, 'the edit did not reach the cluster')
        dry_runs = [entry for entry in self.kube.request_log if entry.method == 'PUT' and 'dryRun' in entry.query]
        self.assertEqual(len(dry_runs), 1, 'the update was first submitted as a server-side dry run')
        self.assertIsNotNone(VPC.objects.get(pk=vpc.pk).apply_pending_since)
        self.sync()
        vpc.refresh_from_db()
        self.assertIsNone(vpc.apply_pending_since)
        self.assertEqual(vpc.spec['subnets']['default']['vlan'], 1999)
        self.assertEqual(vpc.resource_version, self.kube.get('VPC', 'vpc-1')['metadata']['resourceVersion'])

        # A webhook refusal: the job fails with the webhook's words and the cluster keeps its value.
        self.kube.inject(method='PUT', path_regex='/vpcs/vpc-1', status=422, message=WEBHOOK, count=None)
        self.edit_vlan(vpc, original)
        message = self.apply_failure(vpc)
        self.assertIn(WEBHOOK, message)
        self.assertIn('The cluster was not changed.', message)
        self.assertEqual(self.vlan_in_cluster('vpc-1'), 1999)
        page = self.client.get(vpc.get_absolute_url())
        self.assertContains(page, 'Apply to the cluster failed')
        self.assertContains(page, 'VLAN 1999 is reserved')
        failed = FailedJobRegistry(queue=django_rq.get_queue('default'))
        self.assertEqual(len(failed), 1)
        job = Job.fetch(failed.get_job_ids()[0], connection=self.redis)
        self.assertIn('VLAN 1999 is reserved', job.latest_result().exc_string)
        self.kube.clear_faults()
        # The next sync restores what the cluster holds.
        self.sync()
        vpc.refresh_from_db()
        self.assertEqual(vpc.spec['subnets']['default']['vlan'], 1999)

        # A 409 conflict: the cluster changed since NetBox read it; its change is not overwritten.
        changed = self.kube.get('VPC', 'vpc-1')
        changed['spec']['subnets']['default']['vlan'] = 1500
        self.kube.put(changed)
        self.edit_vlan(vpc, 1600)
        message = self.apply_failure(vpc)
        self.assertIn('(409)', message)
        self.assertIn('changed in the cluster since NetBox read it', message)
        self.assertEqual(self.vlan_in_cluster('vpc-1'), 1500)

        # A delete with a stale precondition is refused; the object stays in the cluster.
        other = VPC.objects.get(fabric=self.fabric, name='vpc-2')
        stale = self.kube.get('VPC', 'vpc-2')
        stale['metadata'].setdefault('labels', {})['team'] = 'network'
        self.kube.put(stale)
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_delete', args=[other.pk]), {'confirm': True})
        self.assertEqual(response.status_code, 302)
        self.wait_for(lambda: len(failed) == 3, JOB, 'the delete job did not fail')
        self.assertIsNotNone(self.kube.get('VPC', 'vpc-2'))
        messages = [Job.fetch(job_id, connection=self.redis).latest_result().exc_string
                    for job_id in failed.get_job_ids()]
        self.assertTrue(any('Precondition failed: resourceVersion' in text for text in messages), messages)
        # NetBox no longer holds it, so the fabric page says that the cluster refused, in the API server's words.
        page = self.client.get(self.fabric.get_absolute_url())
        self.assertContains(page, 'Deletions the cluster refused')
        self.assertContains(page, 'they are still in the cluster, and the next sync shows them in NetBox again')
        self.assertContains(page, 'refused to delete VPC vpc-2 (409)')
        self.assertContains(page, 'Precondition failed: resourceVersion')
        failures = Fabric.objects.get(pk=self.fabric.pk).cluster_delete_failures
        self.assertEqual([(f['kind'], f['name']) for f in failures], [('VPC', 'vpc-2')])

        # A VPC created in NetBox is created in the cluster; the next sync gives it its Kubernetes identity.
        spec = copy.deepcopy(vpc.spec)
        spec['subnets']['default']['vlan'] = 1700
        spec['subnets']['default']['subnet'] = '10.20.70.0/24'
        # The gateway vpc-1 got from the webhooks' defaulting lies outside the new subnet: let it default again.
        spec['subnets']['default'].pop('gateway', None)
        spec['subnets']['default']['dhcp']['range'] = {'start': '10.20.70.10', 'end': '10.20.70.250'}
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_add'), {
            'fabric': self.fabric.pk, 'name': 'vpc-9', 'spec': yaml.safe_dump(spec), 'labels': '', 'annotations': '',
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])
        self.wait_for(lambda: self.kube.get('VPC', 'vpc-9'), JOB, 'the new VPC did not reach the cluster')
        self.sync()
        created = VPC.objects.get(fabric=self.fabric, name='vpc-9')
        # The VPC whose deletion the cluster refused is back in NetBox, with the API server's message.
        restored = VPC.objects.get(fabric=self.fabric, name='vpc-2')
        page = self.client.get(restored.get_absolute_url())
        self.assertContains(page, 'Apply to the cluster failed')
        self.assertContains(page, 'Precondition failed: resourceVersion')
        self.assertIsNone(created.apply_pending_since)
        self.assertEqual(created.uid, self.kube.get('VPC', 'vpc-9')['metadata']['uid'])

        # A rename creates the object under its new name and deletes the old one.
        response = self.client.post(reverse('plugins:netbox_hedgehog:vpc_edit', args=[created.pk]), {
            'fabric': self.fabric.pk, 'name': 'vpc-10', 'spec': yaml.safe_dump(created.spec), 'labels': '',
            'annotations': '',
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[-2000:])
        self.wait_for(lambda: self.kube.get('VPC', 'vpc-9') is None, JOB, 'the old name stayed in the cluster')
        self.assertEqual(self.kube.get('VPC', 'vpc-10')['spec']['subnets']['default']['vlan'], 1700)
