"""Live state: Agents read in every sync over real HTTPS, switch health, the LLDP cabling check, and what pages,
REST and filters show of them (the demo fabric's agents.yaml: one switch per situation)."""
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from users.models import User

from hedgehog_devtools.agents import agent_documents, put_agents
from netbox_hedgehog.live.drawing import COLUMNS, GAP, LABEL_MAX, MARGIN, NODE_W, SERVER_STEP, draw
from netbox_hedgehog.live.health import health
from netbox_hedgehog.models import Connection, Fabric, LinkCheck, Server, Switch, SwitchLiveState
from tests.cluster import GATEWAY, WIRING, ClusterTestCase

EXPECTED_HEALTH = {
    'spine-01': 'healthy', 'spine-02': 'healthy', 'leaf-01': 'healthy', 'leaf-02': 'healthy', 'leaf-03': 'stale',
    'leaf-04': 'applying',
}


class LiveStateTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.load_live_fabric(WIRING, GATEWAY)
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

    def test_a_fabric_saved_from_an_older_copy_never_leaves_the_cabling_check_stale(self):
        now = datetime.now(UTC)
        put_agents(self.kube, now=now)
        self.synced()
        older_copy = Fabric.objects.get(pk=self.fabric.pk)
        documents = agent_documents(now=now)
        leaf01 = next(d for d in documents if d['metadata']['name'] == 'leaf-01')
        original = leaf01['status']['state']['interfaces']['E1/1']['lldpNeighbors']
        leaf01['status']['state']['interfaces']['E1/1']['lldpNeighbors'] = [{'sysName': 'server-09',
                                                                              'portID': 'enp9s0'}]
        self.kube.put(leaf01)
        self.synced()
        self.assertEqual(self.checks()['leaf-01', 'E1/1'].status, 'mismatch')
        # An edit form opened before that sync saves every field of its copy, the cabling check's digest included.
        older_copy.description = 'edited'
        older_copy.save()
        leaf01['status']['state']['interfaces']['E1/1']['lldpNeighbors'] = original
        self.kube.put(leaf01)
        self.synced()
        self.assertEqual(self.checks()['leaf-01', 'E1/1'].status, 'verified')

    def test_agents_are_listed_in_pages_of_at_most_fifty(self):
        for i in range(50):
            self.kube.put({'apiVersion': 'agent.githedgehog.com/v1beta1', 'kind': 'Agent',
                           'metadata': {'name': f'gone-{i:02d}', 'namespace': 'default'}, 'status': {}})
        run = self.synced()
        self.assertIn('Agent: read 56 objects in 2 page(s)', run.log)
        self.assertEqual(self.health_by_switch(), EXPECTED_HEALTH)

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

    def test_cabling_is_rechecked_when_lldp_or_a_connection_changes_without_a_heartbeat(self):
        """The check is skipped while what it reads is unchanged; a new LLDP neighbour, a deleted Connection or a
        port going down (heartbeats as they were) shows at the next sync."""
        now = datetime.now(UTC)
        put_agents(self.kube, now=now)
        self.synced()
        self.assertEqual(self.checks()['leaf-01', 'E1/1'].status, 'verified')
        documents = agent_documents(now=now)
        leaf01 = next(d for d in documents if d['metadata']['name'] == 'leaf-01')
        leaf01['status']['state']['interfaces']['E1/1']['lldpNeighbors'] = [{'sysName': 'server-09',
                                                                              'portID': 'enp9s0'}]
        self.kube.put(leaf01)
        self.synced()
        check = self.checks()['leaf-01', 'E1/1']
        self.assertEqual((check.status, check.seen), ('mismatch', 'server-09/enp9s0'))
        connection_name = check.connection.name
        self.kube.delete('Connection', connection_name)
        self.synced()
        self.assertFalse(LinkCheck.objects.filter(fabric=self.fabric, connection__name=connection_name).exists())
        self.assertEqual(self.checks()['leaf-01', 'E1/1'].status, 'unplanned')
        leaf01['status']['state']['interfaces']['E1/1'].update(oper='down', lldpNeighbors=[])
        self.kube.put(leaf01)
        self.synced()
        self.assertNotIn(('leaf-01', 'E1/1'), self.checks())
        self.assertEqual(SwitchLiveState.objects.get(switch__name='leaf-01').interfaces['E1/1']['oper'], 'down')

    def test_a_connection_change_the_check_does_not_read_keeps_its_checks(self):
        """The check reads a connection's links: a new MTU rewrites no check, a link moved to another port is
        checked there at the next sync."""
        put_agents(self.kube, now=datetime.now(UTC))
        self.synced()
        name = 'server-01--eslag--leaf-01--leaf-02'
        before = set(LinkCheck.objects.filter(fabric=self.fabric).values_list('pk', flat=True))
        self.assertEqual(self.checks()['leaf-01', 'E1/1'].connection.name, name)
        document = self.kube.get('Connection', name)
        document['spec']['eslag']['mtu'] = 9000
        self.kube.put(document)
        with CaptureQueriesContext(connection) as queries:
            run = self.synced()
        self.assertEqual(run.total('update'), 1)
        self.assertEqual(Connection.objects.get(fabric=self.fabric, name=name).spec['eslag']['mtu'], 9000)
        self.assertEqual([q['sql'] for q in queries if 'netbox_hedgehog_linkcheck' in q['sql']
                          and q['sql'].startswith(('INSERT', 'DELETE', 'COPY'))], [])
        self.assertEqual(set(LinkCheck.objects.filter(fabric=self.fabric).values_list('pk', flat=True)), before)
        document['spec']['eslag']['links'][0]['switch']['port'] = 'leaf-01/E1/9'
        self.kube.put(document)
        self.synced()
        checks = self.checks()
        self.assertEqual((checks['leaf-01', 'E1/9'].connection.name, checks['leaf-01', 'E1/9'].expected),
                         (name, 'server-01/enp2s1'))
        # Its old port still reports server-01 as neighbour: a neighbour no connection plans.
        self.assertEqual((checks['leaf-01', 'E1/1'].connection, checks['leaf-01', 'E1/1'].status), (None, 'unplanned'))

    def test_live_state_statements_do_not_grow_with_switches_and_ports(self):
        def heartbeat_sync(seconds):
            put_agents(self.kube, now=datetime.now(UTC) + timedelta(seconds=seconds))
            with CaptureQueriesContext(connection) as queries:
                self.synced()
            return len(queries)

        self.synced()
        small = heartbeat_sync(10)
        for i in range(40):
            self.kube.put({'apiVersion': 'wiring.githedgehog.com/v1beta1', 'kind': 'Switch',
                           'metadata': {'name': f'extra-{i}', 'namespace': 'default'}, 'spec': {'role': 'server-leaf'}})
            self.kube.put({
                'apiVersion': 'agent.githedgehog.com/v1beta1', 'kind': 'Agent',
                'metadata': {'name': f'extra-{i}', 'namespace': 'default'},
                'status': {'lastHeartbeat': datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ'), 'lastAppliedGen': 1,
                           'state': {'interfaces': {
                               f'E1/{p}': {'oper': 'up',
                                           'lldpNeighbors': [{'sysName': f'host-{i}-{p}', 'portID': 'eth0'}]}
                               for p in range(1, 49)}}},
            })
        self.synced()
        self.assertEqual(LinkCheck.objects.filter(fabric=self.fabric, status='unplanned').count(), 1 + 40 * 48)
        big = heartbeat_sync(20)
        self.assertLessEqual(abs(big - small), 2)


def badge_count(page, attribute, value):
    """The number shown beside a fabric page badge (data-health / data-cabling)."""
    match = re.search(rf'data-{attribute}="{value}">.*?</span>\s*([0-9]+)</', page, re.S)
    return int(match.group(1)) if match else None


class LiveStatePagesTest(ClusterTestCase):
    """What a user sees of the live state on the fabric, switch and connection pages and in the lists."""

    def setUp(self):
        super().setUp()
        self.load_live_fabric(WIRING, GATEWAY)
        self.fabric = self.make_fabric()
        run = self.sync(self.fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        self.client.force_login(User.objects.create_user(username='viewer', is_superuser=True))

    def names(self, url):
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        return sorted(set(re.findall(r'>((?:leaf|spine|server)-[0-9]+[^<]*)</a>', page.content.decode())))

    def test_fabric_page_summarises_the_live_state(self):
        page = self.client.get(self.fabric.get_absolute_url()).content.decode()
        self.assertEqual({value: badge_count(page, 'health', value) for value in ('healthy', 'applying', 'stale',
                                                                                    'no_agent')},
                         {'healthy': 4, 'applying': 1, 'stale': 1, 'no_agent': 0})
        self.assertIn('<td data-live="applied">5 of 6 switches</td>', page)
        self.assertIn('<td data-live="ports-down">1</td>', page)
        self.assertIn('<td data-live="bgp-down">1</td>', page)
        self.assertIn('<td data-live="alarms">1</td>', page)
        self.assertEqual({value: badge_count(page, 'cabling', value) for value in ('verified', 'mismatch',
                                                                                     'no_neighbour', 'unknown',
                                                                                     'external', 'unplanned')},
                         {'verified': 44, 'mismatch': 1, 'no_neighbour': 1, 'unknown': 0, 'external': 2,
                          'unplanned': 1})
        self.assertIn('E1/20</span> sees <span class="font-monospace">lab-laptop/eth0', page)
        self.assertNotIn('data-live="none"', page)

    def test_fabric_without_agents_says_no_live_state(self):
        self.kube.uninstall('Agent')
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        page = self.client.get(self.fabric.get_absolute_url()).content.decode()
        self.assertIn('data-live="none"', page)
        self.assertIn('No live state', page)
        self.assertEqual(badge_count(page, 'health', 'no_agent'), 6)
        self.assertEqual(badge_count(page, 'cabling', 'unknown'), 44 + 1 + 1 + 2)

    def test_switch_page_shows_health_nos_ports_and_cabling(self):
        leaf01 = Switch.objects.get(fabric=self.fabric, name='leaf-01')
        page = self.client.get(leaf01.get_absolute_url()).content.decode()
        self.assertIn('data-health="healthy">Heartbeat fresh and generation 1 applied.', page)
        self.assertIn('CN0LEAF017Q', page)
        row = re.search(r'<tr data-port="E1/3">(.*?)</tr>', page, re.S).group(1)
        self.assertIn('server-05/enp2s2', row)
        self.assertIn('server-03/enp2s2', row)
        self.assertIn('Mismatch', row)
        leaf03 = Switch.objects.get(fabric=self.fabric, name='leaf-03')
        page = self.client.get(leaf03.get_absolute_url()).content.decode()
        self.assertRegex(page, r'data-health="stale">The last heartbeat \([0-9: -]+ UTC\) is older than 300 seconds.')

    def test_connection_page_shows_each_links_check(self):
        connection_ = Connection.objects.get(fabric=self.fabric, name='server-03--bundled--leaf-01')
        page = self.client.get(connection_.get_absolute_url()).content.decode()
        e12 = re.search(r'<tr data-port="leaf-01/E1/2">(.*?)</tr>', page, re.S).group(1)
        e13 = re.search(r'<tr data-port="leaf-01/E1/3">(.*?)</tr>', page, re.S).group(1)
        self.assertIn('Verified', e12)
        self.assertIn('Mismatch', e13)
        self.assertIn('server-05/enp2s2', e13)

    def test_lists_filter_by_health_nos_serial_and_cabling(self):
        switches = reverse('plugins:netbox_hedgehog:switch_list')
        self.assertEqual(self.names(f'{switches}?health=stale'), ['leaf-03'])
        self.assertEqual(self.names(f'{switches}?health=applying'), ['leaf-04'])
        self.assertEqual(self.names(f'{switches}?health=healthy&health=stale'),
                         ['leaf-01', 'leaf-02', 'leaf-03', 'spine-01', 'spine-02'])
        self.assertEqual(self.names(f'{switches}?serial=CN0SPINE027Q'), ['spine-02'])
        self.assertEqual(len(self.names(f'{switches}?nos_version=4.5.0-Enterprise_Base')), 6)
        connections = reverse('plugins:netbox_hedgehog:connection_list')
        self.assertEqual(self.names(f'{connections}?cabling=mismatch'), ['server-03--bundled--leaf-01'])
        self.assertEqual(self.names(f'{connections}?cabling=no_neighbour'), ['server-04--unbundled--leaf-02'])

    def test_health_follows_the_clock_without_a_sync(self):
        live = SwitchLiveState.objects.get(switch__name='spine-01')
        self.assertEqual(health(live)[0], 'healthy')
        self.assertEqual(health(live, now=live.heartbeat + timedelta(seconds=301))[0], 'stale')

    def drawing(self, obj):
        page = self.client.get(obj.get_absolute_url()).content.decode()
        return re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="hh-fabric-drawing".*?</svg>', page,
                         re.S).group(0)

    def test_fabric_drawing_has_every_node_and_colours_links_by_cabling(self):
        svg = self.drawing(self.fabric)
        nodes = re.findall(r'class="hh-node"><title>[^<]*</title><rect[^>]*fill="([^"]+)"[^>]*/><text[^>]*>([^<]+)<',
                           svg)
        labels = {label for _fill, label in nodes}
        self.assertEqual(labels, {*EXPECTED_HEALTH, *(f'server-0{i}' for i in range(1, 9)), 'gateway-1',
                                  *self.external_names()})
        fills = dict((label, fill) for fill, label in nodes)
        self.assertEqual((fills['leaf-03'], fills['leaf-04'], fills['spine-01']), ('#f76707', '#4263eb', '#2fb344'))
        switch_url = Switch.objects.get(fabric=self.fabric, name='leaf-01').get_absolute_url()
        self.assertIn(f'<a href="{switch_url}" class="hh-node">', svg)
        miscabled = Connection.objects.get(fabric=self.fabric, name='server-03--bundled--leaf-01')
        self.assertIn(f'<a href="{miscabled.get_absolute_url()}" class="hh-link" data-cabling="mismatch">', svg)
        self.assertEqual(len(re.findall(r'data-cabling="mismatch"', svg)), 1)
        self.assertEqual(len(re.findall(r'data-cabling="no_neighbour"', svg)), 1)

    def external_names(self):
        from netbox_hedgehog.models import External
        return set(External.objects.filter(fabric=self.fabric).values_list('name', flat=True))

    def test_many_servers_are_grouped_per_leaf_set(self):
        with mock.patch('netbox_hedgehog.live.drawing.SERVER_LIMIT', 4):
            svg = self.drawing(self.fabric)
        self.assertNotIn('>server-01<', svg)
        groups = re.findall(r'<title>([0-9]+ servers? on [^<]+)</title>', svg)
        self.assertEqual(sorted(groups), ['1 server on leaf-01', '1 server on leaf-02', '1 server on leaf-04',
                                          '2 servers on leaf-01 + leaf-02', '3 servers on leaf-03'])

    def test_switch_page_draws_its_neighbourhood(self):
        leaf03 = Switch.objects.get(fabric=self.fabric, name='leaf-03')
        svg = self.drawing(leaf03)
        labels = set(re.findall(r'<text[^>]*fill="[^"]+">([^<]+)<', svg))
        self.assertEqual(labels, {'leaf-03', 'spine-01', 'spine-02', 'server-05', 'server-06', 'server-07'})


class LiveStateAPITest(ClusterTestCase):
    """REST and GraphQL expose health, live state and cabling."""

    def setUp(self):
        super().setUp()
        self.load_live_fabric(WIRING)
        self.fabric = self.make_fabric()
        self.assertEqual(self.sync(self.fabric).status, 'succeeded')
        self.client.force_login(User.objects.create_user(username='api-viewer', is_superuser=True))

    def test_rest_switch_has_health_and_live_state(self):
        url = reverse('plugins-api:netbox_hedgehog-api:switch-list')
        answer = self.client.get(f'{url}?fabric_id={self.fabric.pk}&health=applying', HTTP_ACCEPT='application/json')
        self.assertEqual(answer.status_code, 200)
        self.assertEqual([s['name'] for s in answer.json()['results']], ['leaf-04'])
        leaf04 = answer.json()['results'][0]
        self.assertEqual(leaf04['health']['value'], 'applying')
        self.assertEqual((leaf04['live_state']['applied_generation'], leaf04['live_state']['generation']), (0, 1))
        self.assertEqual(leaf04['live_state']['applied_reason'], 'ApplyPending')
        everything = self.client.get(f'{url}?fabric_id={self.fabric.pk}', HTTP_ACCEPT='application/json').json()
        self.assertEqual({s['name']: s['health']['value'] for s in everything['results']}, EXPECTED_HEALTH)

    def test_rest_connection_has_cabling_and_filters_by_it(self):
        url = reverse('plugins-api:netbox_hedgehog-api:connection-list')
        answer = self.client.get(f'{url}?cabling=mismatch', HTTP_ACCEPT='application/json')
        self.assertEqual(answer.status_code, 200)
        [connection_] = answer.json()['results']
        self.assertEqual(connection_['name'], 'server-03--bundled--leaf-01')
        self.assertEqual(
            [(c['switch'], c['port'], c['expected'], c['seen'], c['status']['value']) for c in connection_['cabling']],
            [('leaf-01', 'E1/2', 'server-03/enp2s1', 'server-03/enp2s1', 'verified'),
             ('leaf-01', 'E1/3', 'server-03/enp2s2', 'server-05/enp2s2', 'mismatch')],
        )

    def test_graphql_has_health_live_state_and_cabling(self):
        query = ('{ hedgehog_switch_list { name health health_reason live_state { serial nos_version } } '
                 'hedgehog_connection_list(filters: {name: {exact: "server-03--bundled--leaf-01"}}) '
                 '{ link_checks { port status seen switch { name } } } }')
        answer = self.client.post(reverse('graphql'), {'query': query}, content_type='application/json',
                                  HTTP_ACCEPT='application/json')
        self.assertEqual(answer.status_code, 200, answer.content)
        data = answer.json()
        self.assertNotIn('errors', data)
        switches = {s['name']: s for s in data['data']['hedgehog_switch_list']}
        self.assertEqual({name: s['health'] for name, s in switches.items()}, EXPECTED_HEALTH)
        self.assertEqual(switches['spine-01']['live_state']['serial'], 'CN0SPINE017Q')
        [connection_] = data['data']['hedgehog_connection_list']
        self.assertEqual(sorted((c['port'], c['status'], c['seen']) for c in connection_['link_checks']),
                         [('E1/2', 'verified', 'server-03/enp2s1'), ('E1/3', 'mismatch', 'server-05/enp2s2')])


class MalformedAgentTest(ClusterTestCase):
    def test_a_malformed_agent_status_never_fails_the_sync(self):
        self.kube.install('Agent')
        self.kube.load_yaml(WIRING)
        self.kube.put({'apiVersion': 'agent.githedgehog.com/v1beta1', 'kind': 'Agent',
                       'metadata': {'name': 'leaf-01', 'namespace': 'default'},
                       'status': {'lastHeartbeat': 'yesterday', 'conditions': 5, 'lastAppliedGen': 'one',
                                  'state': {'interfaces': {'E1/1': {'lldpNeighbors': 'none'}}, 'nos': []}}})
        fabric = self.make_fabric()
        run = self.sync(fabric)
        self.assertEqual(run.status, 'succeeded', run.error)
        live = SwitchLiveState.objects.get(switch__name='leaf-01')
        self.assertEqual((live.heartbeat, live.applied_generation, live.nos_version), (None, None, ''))
        self.assertEqual(health(live), ('stale', 'The agent has not reported a heartbeat.'))
        self.assertEqual(LinkCheck.objects.get(switch__name='leaf-01', port='E1/1').status, 'no_neighbour')


def test_demo_agents_are_moved_to_the_present_keeping_their_ages():
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    beats = {doc['metadata']['name']: doc['status']['lastHeartbeat'] for doc in agent_documents(now)}
    assert beats == {'spine-01': '2030-01-02T03:04:05Z', 'spine-02': '2030-01-02T03:04:05Z',
                     'leaf-01': '2030-01-02T03:04:05Z', 'leaf-02': '2030-01-02T03:04:05Z',
                     'leaf-03': '2030-01-02T02:04:05Z', 'leaf-04': '2030-01-02T03:04:05Z'}


class LargeFabricDrawingTest(TestCase):
    """The drawing of 200 switches (8 spines, 96 ESLAG pairs of leaves) and 2,000 servers (about 21 per pair), written
    to the database in bulk: bounded, nothing overlapping, everything linked."""

    def setUp(self):
        self.fabric = Fabric.objects.create(name='big')
        spines = [Switch(fabric=self.fabric, name=f'spine-{i:02d}', role='spine') for i in range(1, 9)]
        leaves = [Switch(fabric=self.fabric, name=f'leaf-{i:03d}', role='server-leaf',
                         redundancy_group=f'eslag-{(i - 1) // 2 + 1:02d}') for i in range(1, 193)]
        Switch.objects.bulk_create(spines + leaves)
        Server.objects.bulk_create([Server(fabric=self.fabric, name=f'server-{i:04d}') for i in range(2000)])
        fabric_links = [Connection(fabric=self.fabric, name=f'{s.name}--fabric--{leaf.name}', connection_type='fabric',
                                   switches=[s.name, leaf.name]) for s in spines for leaf in leaves]
        server_links = [Connection(fabric=self.fabric, name=f'server-{i:04d}--eslag', connection_type='eslag',
                                   switches=[leaves[2 * (i % 96)].name, leaves[2 * (i % 96) + 1].name],
                                   servers=[f'server-{i:04d}']) for i in range(2000)]
        Connection.objects.bulk_create(fabric_links + server_links)
        miscabled = Connection.objects.get(fabric=self.fabric, name='spine-03--fabric--leaf-100')
        LinkCheck.objects.create(fabric=self.fabric, connection=miscabled, switch=Switch.objects.get(name='leaf-100'),
                                 port='E1/51', expected='spine-03/E1/100', seen='spine-04/E1/100', status='mismatch')

    def test_two_thousand_servers_and_two_hundred_switches_stay_readable(self):
        svg = draw(self.fabric)
        width, height = (float(v) for v in re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg).groups())
        nodes = re.findall(r'<a href="([^"]*)" class="hh-node"><title>([^<]*)</title><rect x="([0-9.-]+)" '
                           r'y="([0-9.-]+)"[^>]*/><text[^>]*>([^<]+)</text></a>', svg)
        # Every node is a link: 200 switches and one box per pair of leaves (2,000 servers / 96 pairs).
        self.assertNotIn('<g class="hh-node">', svg)
        self.assertEqual(len(nodes), 200 + 96)
        self.assertTrue(all(href for href, *_rest in nodes))
        groups = [title for _href, title, *_rest in nodes if ' servers on ' in title]
        self.assertEqual(len(groups), 96)
        self.assertEqual(sorted({title.split()[0] for title in groups}), ['20', '21'])
        # Every link is a link too: 8 x 192 fabric connections, and each pair's box to both its leaves.
        links = re.findall(r'<a href="([^"]*)" class="hh-link"', svg)
        self.assertEqual(len(links), 8 * 192 + 96 * 2)
        self.assertTrue(all(links))
        # So many links between switches are drawn faint, except the one with a problem; server links are not.
        lines = re.findall(r'class="hh-link" data-cabling="([a-z_]+)"><title>([^<]*)</title><line ([^>]*)/>', svg)
        self.assertEqual(len(lines), len(links))
        loud = [(cabling, title.split(' ')[0]) for cabling, title, line in lines if 'hh-quiet' not in line]
        self.assertEqual(len(loud), 1 + 96 * 2)
        self.assertEqual([c for c in loud if '--fabric--' in c[1]], [('mismatch', 'spine-03--fabric--leaf-100')])
        # At most COLUMNS boxes side by side: the canvas is bounded however many leaves there are.
        self.assertLessEqual(width, COLUMNS * (NODE_W + GAP) + 2 * MARGIN)
        self.assertLessEqual(height, 4000)
        boxes = {label: (float(x), float(y)) for _href, title, x, y, label in nodes
                 if ' servers on ' not in title}
        rows = {}
        for _href, title, x, y, label in nodes:
            rows.setdefault(float(y), []).append(float(x))
            self.assertLessEqual(len(label), LABEL_MAX)
            self.assertTrue(MARGIN <= float(x) <= width - MARGIN - NODE_W, (title, x))
        for y, xs in rows.items():
            self.assertLessEqual(len(xs), COLUMNS)
            xs.sort()
            # No two boxes (so no two labels) of a row overlap.
            self.assertTrue(all(b - a >= NODE_W + GAP - 0.5 for a, b in zip(xs, xs[1:], strict=False)), y)
        # A redundancy pair sits side by side; its servers are in the row right under it.
        for i in range(1, 193, 2):
            (ax, ay), (bx, by) = boxes[f'leaf-{i:03d}'], boxes[f'leaf-{i + 1:03d}']
            self.assertEqual((ay, bx - ax), (by, NODE_W + GAP))
        for _href, title, x, y, _label in nodes:
            if ' servers on ' in title:
                first = title.split(' on ')[1].split(' + ')[0]
                self.assertEqual(float(y) - boxes[first][1], SERVER_STEP, title)
