"""Live state: Agents read in every sync over real HTTPS, switch health, the LLDP cabling check, and what pages,
REST and filters show of them (the demo fabric's agents.yaml: one switch per situation)."""
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hedgehog_devtools.agents import put_agents
from netbox_hedgehog.live.health import health
from netbox_hedgehog.models import LinkCheck, Switch, SwitchLiveState
from tests.cluster import GATEWAY, WIRING, ClusterTestCase

EXPECTED_HEALTH = {
    'spine-01': 'healthy', 'spine-02': 'healthy', 'leaf-01': 'healthy', 'leaf-02': 'healthy', 'leaf-03': 'stale',
    'leaf-04': 'applying',
}


class LiveStateTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.kube.load_yaml(WIRING)
        self.kube.load_yaml(GATEWAY)
        put_agents(self.kube)
        self.fabric = self.make_fabric()

    def synced(self):
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        return run

    def health_by_switch(self):
        return {s.name: health(getattr(s, 'live_state', None))[0]
                for s in Switch.objects.filter(fabric=self.fabric).select_related('live_state')}

    def checks(self, **filters):
        return {(c.switch.name, c.port): c for c in
                LinkCheck.objects.filter(fabric=self.fabric, **filters).select_related('switch')}

    def test_every_switch_gets_its_reported_state_and_health(self):
        run = self.synced()
        self.assertIn('Agent: read 6 objects in 1 page(s)', run.log)
        self.assertEqual(self.health_by_switch(), EXPECTED_HEALTH)
        leaf02 = SwitchLiveState.objects.get(switch__name='leaf-02')
        self.assertEqual((leaf02.nos_version, leaf02.serial, leaf02.manufacturer),
                         ('4.5.0-Enterprise_Base', 'CN0LEAF027Q', 'Dell EMC'))
        self.assertEqual(leaf02.platform_alarms, [{'item': 'psu', 'name': 'PSU 2', 'problem': 'status not OK'}])
        self.assertEqual([b['state'] for b in leaf02.bgp_neighbors].count('established'), 1)
        self.assertEqual(leaf02.interfaces['E1/2']['oper'], 'down')
        leaf04 = SwitchLiveState.objects.get(switch__name='leaf-04')
        self.assertEqual(health(leaf04)[1], 'Applied generation 0 is behind the current generation 1 '
                                            '(ApplyPending: Config will be applied, gen=1).')

    def test_cabling_check_per_port(self):
        self.synced()
        checks = self.checks()
        self.assertEqual(checks['leaf-01', 'E1/1'].status, 'verified')
        self.assertEqual(checks['spine-01', 'E1/1'].expected, 'leaf-01/E1/49')
        self.assertEqual(checks['spine-01', 'E1/1'].status, 'verified')
        self.assertEqual((checks['leaf-01', 'E1/3'].status, checks['leaf-01', 'E1/3'].seen),
                         ('mismatch', 'server-05/enp2s2'))
        self.assertEqual((checks['leaf-02', 'E1/2'].status, checks['leaf-02', 'E1/2'].oper), ('no_neighbour', 'down'))
        self.assertEqual(checks['leaf-04', 'E1/47'].status, 'external')
        unplanned = self.checks(status='unplanned')
        self.assertEqual(list(unplanned), [('spine-02', 'E1/20')])
        self.assertEqual(unplanned['spine-02', 'E1/20'].seen, 'lab-laptop/eth0')
        self.assertIsNone(unplanned['spine-02', 'E1/20'].connection)
        statuses = [c.status for c in checks.values()]
        # 18 + 2 connections: 16 fabric links (32 switch ports), 12 server links, 2 external, 2 gateway links.
        self.assertEqual(len(statuses), 32 + 12 + 2 + 2 + 1)
        self.assertEqual(statuses.count('mismatch'), 1)
        self.assertEqual(statuses.count('no_neighbour'), 1)

    def test_missing_agent_crd_gives_no_live_state_and_the_sync_succeeds(self):
        self.kube.uninstall('Agent')
        run = self.synced()
        self.assertIn('Agent: CRD not installed, no live state', run.log)
        self.assertEqual(set(self.health_by_switch().values()), {'no_agent'})
        self.assertEqual({c.status for c in self.checks().values()}, {'unknown'})

    def test_credentials_that_may_not_list_agents_give_no_live_state(self):
        self.kube.inject(method='GET', path_regex='/agents', status=403, count=10)
        run = self.synced()
        self.assertIn('Agent: no live state (The credentials are valid but not allowed to list '
                      'agents.agent.githedgehog.com/v1beta1 (403 Forbidden)', run.log)
        self.assertFalse(SwitchLiveState.objects.filter(fabric=self.fabric).exists())

    def test_heartbeat_only_change_writes_only_live_state_in_bulk(self):
        self.synced()
        put_agents(self.kube, now=datetime.now(UTC) + timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            run = self.synced()
        self.assertEqual((run.total('create'), run.total('update'), run.total('delete')), (0, 0, 0))
        writes = [q['sql'] for q in queries if q['sql'].startswith(('INSERT', 'UPDATE', 'DELETE'))
                  and 'netbox_hedgehog_syncrun' not in q['sql'] and 'netbox_hedgehog_fabric' not in q['sql']]
        self.assertEqual(len(writes), 2, writes)
        self.assertTrue(all('netbox_hedgehog_switchlivestate' in sql for sql in writes), writes)
        with CaptureQueriesContext(connection) as unchanged:
            self.synced()
        live_writes = [q['sql'] for q in unchanged if q['sql'].startswith(('INSERT', 'DELETE'))
                       and ('switchlivestate' in q['sql'] or 'linkcheck' in q['sql'])]
        self.assertEqual(live_writes, [])
