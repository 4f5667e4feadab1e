"""Tests of the Kubernetes API test server (deploy/dev/hedgehog_devtools/kubeapi).

They talk to it the way the plugin does: with the official ``kubernetes`` client, configured from the
kubeconfig the server writes, over real HTTPS with certificate verification on. No Django database is used.
"""
import base64
import json
import re
import select
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import urllib3
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from hedgehog_devtools.kubeapi import KubeAPIServer
from hedgehog_devtools.kubeapi.tls import create_tls_material
from netbox_hedgehog.kinds import KINDS
from tests.cluster import FABRIC_COUNTS
from tests.harness import SAMPLES, needs_samples

REPO = Path(__file__).resolve().parents[1]
WIRING = 'wiring.githedgehog.com'
VPC = 'vpc.githedgehog.com'
GATEWAY = 'gateway.githedgehog.com'
SWITCHES = (WIRING, 'v1beta1', 'default', 'switches')
READER, FORBIDDEN, WIRING_ONLY = 'reader-token', 'forbidden-token', 'wiring-only-token'
TIMESTAMP = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ')

# Objects per kind in each third-party sample file, as the samples' INDEX.md lists them.
SAMPLE_COUNTS = {
    'docs__docs__install-upgrade__build-wiring.md__block2-sample-wiring-diagram.yaml': {
        'VLANNamespace': 1, 'IPv4Namespace': 1, 'SwitchGroup': 1, 'Switch': 6, 'Gateway': 1, 'Connection': 10,
    },
    'lab-ci__envs__env-ci-1.l__wiring.yaml': {
        'VLANNamespace': 1, 'IPv4Namespace': 1, 'SwitchGroup': 3, 'Switch': 6, 'Server': 8, 'External': 3,
        'ExternalAttachment': 5, 'Connection': 24,
    },
    'lab-ci__envs__env-ci-1.l__wiring-gateway.yaml': {'GatewayGroup': 1, 'Gateway': 2, 'Connection': 2},
    'demo-gitops__env-1__pre-demo.yaml': {'VPC': 2, 'VPCAttachment': 2},
    'demo-gitops__env-1__demo.yaml': {'VPC': 1, 'VPCAttachment': 1, 'VPCPeering': 1, 'ExternalPeering': 1},
    'docs__docs__user-guide__vpcs.md__block2-vpc-relay-peering.yaml': {'VPC': 2, 'VPCAttachment': 2, 'VPCPeering': 1},
}


# A switch as hhfab hydrates it: what the fabric's webhooks (and so this server) admit. The server stores it after
# their defaulting, which adds nothing to this spec.
HYDRATED = {'role': 'server-leaf', 'profile': 'vs', 'asn': 65101, 'ip': '172.30.0.8/21', 'protocolIP': '172.30.8.2/32',
            'vtepIP': '172.30.12.2/32', 'vlanNamespaces': ['default']}


def switch(name, namespace='default', labels=None, **spec):
    metadata = {'name': name, 'namespace': namespace}
    if labels:
        metadata['labels'] = labels
    return {
        'apiVersion': f'{WIRING}/v1beta1',
        'kind': 'Switch',
        'metadata': metadata,
        'spec': spec or {**HYDRATED, 'description': name},
    }


def api_error(call, *args, **kwargs):
    """Run a client call that must fail; return (HTTP status, Status body)."""
    with pytest.raises(ApiException) as info:
        call(*args, **kwargs)
    return info.value.status, json.loads(info.value.body)


def list_all(list_call, *args, limit, **kwargs):
    """Page through a list call; return (pages, items)."""
    pages, items, token = [], [], None
    while True:
        page = list_call(*args, limit=limit, _continue=token, **kwargs)
        pages.append(page)
        items += page['items']
        token = page['metadata'].get('continue')
        if not token:
            return pages, items


def raw_request(server, method, path, token=None, body=None):
    """An HTTPS request with urllib (for routes the kubernetes client has no method for)."""
    request = urllib.request.Request(server.url + path, method=method, data=json.dumps(body).encode() if body else None)
    if token:
        request.add_header('Authorization', f'Bearer {token}')
    request.add_header('Content-Type', 'application/json')
    context = ssl.create_default_context(cadata=server.ca_pem)
    try:
        with urllib.request.urlopen(request, context=context, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server():
    tokens = {READER: 'reader', FORBIDDEN: 'forbidden', WIRING_ONLY: {'role': 'admin', 'groups': [WIRING]}}
    with KubeAPIServer(tokens=tokens) as kubeapi:
        yield kubeapi


@pytest.fixture
def connect(server, tmp_path):
    """Factory of CustomObjectsApi clients built from a kubeconfig file, as the plugin builds them."""
    api_clients = []

    def make(token=None, kubeconfig=None):
        path = tmp_path / f'kubeconfig-{len(api_clients)}.yaml'
        if kubeconfig is None:
            server.write_kubeconfig(path, token=token)
        else:
            path.write_text(kubeconfig)
        configuration = client.Configuration()
        config.load_kube_config(config_file=str(path), client_configuration=configuration)
        api_client = client.ApiClient(configuration)
        api_clients.append(api_client)
        return client.CustomObjectsApi(api_client)

    yield make
    for api_client in api_clients:
        api_client.close()


@pytest.fixture
def api(connect):
    return connect()


# Discovery and TLS

def test_kubeconfig_points_at_the_server_with_its_ca(server):
    kubeconfig = yaml.safe_load(server.kubeconfig())
    cluster = kubeconfig['clusters'][0]['cluster']
    assert cluster['server'] == server.url == f'https://127.0.0.1:{server.port}'
    assert kubeconfig['users'][0]['user']['token'] == server.token
    assert kubeconfig['current-context'] == kubeconfig['contexts'][0]['name']
    assert server.ca_pem.startswith('-----BEGIN CERTIFICATE-----')


def test_discovery_names_every_served_kind(api):
    version = client.VersionApi(api.api_client).get_code()
    assert (version.major, version.git_version) == ('1', 'v1.33.0-kubeapi-test')
    groups = client.ApisApi(api.api_client).get_api_versions().groups
    assert {group.name: group.preferred_version.version for group in groups} == {
        WIRING: 'v1beta1', VPC: 'v1beta1', GATEWAY: 'v1alpha1', 'agent.githedgehog.com': 'v1beta1',
    }
    for group, version in ((WIRING, 'v1beta1'), (VPC, 'v1beta1'), (GATEWAY, 'v1alpha1')):
        resources = api.get_api_resources(group, version).resources
        expected = {spec.plural: spec.kind for spec in KINDS if spec.group == group}
        assert {resource.name: resource.kind for resource in resources} == expected
        assert all(resource.namespaced and 'list' in resource.verbs for resource in resources)


def test_the_fabric_settings_config_map_is_served_read_only_by_the_core_api(server, api):
    """The ConfigMap fab/fabric-ctrl-config, as the Kubernetes client's CoreV1Api reads it; the core API is read-only
    here (the fabric controller's settings are seeded with put_fabric_settings)."""
    core = client.CoreV1Api(api.api_client)
    assert {r.name: r.verbs for r in core.get_api_resources().resources} == {'configmaps': ['get', 'list']}
    with pytest.raises(client.exceptions.ApiException) as missing:
        core.read_namespaced_config_map('fabric-ctrl-config', 'fab')
    assert missing.value.status == 404
    server.put_fabric_settings({'fabricMTU': 9100, 'reservedSubnets': ['172.30.0.0/21']})
    config_map = core.read_namespaced_config_map('fabric-ctrl-config', 'fab')
    assert yaml.safe_load(config_map.data['config.yaml']) == {'fabricMTU': 9100, 'reservedSubnets': ['172.30.0.0/21']}
    assert [item.metadata.name for item in core.list_namespaced_config_map('fab').items] == ['fabric-ctrl-config']
    with pytest.raises(client.exceptions.ApiException) as refused:
        core.delete_namespaced_config_map('fabric-ctrl-config', 'fab')
    assert refused.value.status == 405


def test_a_client_trusting_another_ca_fails_verification(server, api, connect):
    kubeconfig = yaml.safe_load(server.kubeconfig())
    other_ca = create_tls_material().ca_pem
    kubeconfig['clusters'][0]['cluster']['certificate-authority-data'] = base64.b64encode(other_ca.encode()).decode()
    untrusting = connect(kubeconfig=yaml.safe_dump(kubeconfig))
    with pytest.raises(urllib3.exceptions.MaxRetryError) as info:
        untrusting.list_namespaced_custom_object(*SWITCHES)
    assert isinstance(info.value.reason, urllib3.exceptions.SSLError)
    assert 'CERTIFICATE_VERIFY_FAILED' in str(info.value.reason)
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []


# Lists and paging

def test_paging_returns_every_object_exactly_once(server, api):
    for number in range(1234):
        server.put(switch(f'leaf-{number:04d}'))
    for number in range(5):
        server.put(switch(f'lab-{number}', namespace='lab'))

    pages, items = list_all(api.list_namespaced_custom_object, *SWITCHES, limit=100)
    names = [item['metadata']['name'] for item in items]
    assert len(pages) == 13
    assert len(names) == len(set(names)) == 1234
    assert set(names) == {f'leaf-{number:04d}' for number in range(1234)}
    first = pages[0]
    assert (first['kind'], first['apiVersion']) == ('SwitchList', f'{WIRING}/v1beta1')
    assert first['metadata']['resourceVersion'].isdigit()
    assert first['metadata']['remainingItemCount'] == 1134
    assert all((item['kind'], item['apiVersion']) == ('Switch', f'{WIRING}/v1beta1') for item in items)

    _, everywhere = list_all(api.list_cluster_custom_object, WIRING, 'v1beta1', 'switches', limit=500)
    assert len(everywhere) == 1239
    assert sum(item['metadata']['namespace'] == 'lab' for item in everywhere) == 5


def test_paging_is_a_consistent_snapshot_and_stale_tokens_are_gone(server, api):
    for number in range(250):
        server.put(switch(f'leaf-{number:03d}'))
    first = api.list_namespaced_custom_object(*SWITCHES, limit=100)
    server.put(switch('leaf-999'))
    server.delete('Switch', 'leaf-200')
    changed = server.put(switch('leaf-150', description='changed'))
    _, rest = list_all(api.list_namespaced_custom_object, *SWITCHES, limit=100)
    token = first['metadata']['continue']
    second = api.list_namespaced_custom_object(*SWITCHES, limit=200, _continue=token)
    names = [item['metadata']['name'] for item in first['items'] + second['items']]
    assert names == [f'leaf-{number:03d}' for number in range(250)]
    assert second['metadata']['resourceVersion'] == first['metadata']['resourceVersion']
    old_150 = next(item for item in second['items'] if item['metadata']['name'] == 'leaf-150')
    assert old_150['metadata']['resourceVersion'] != changed['metadata']['resourceVersion']
    assert len(rest) == 250  # a fresh list sees the changes

    server.expire_continue_tokens()
    status, body = api_error(api.list_namespaced_custom_object, *SWITCHES, limit=100, _continue=token)
    assert (status, body['reason'], body['code']) == (410, 'Expired', 410)

    # A token that does not decode is a bad request, as kube-apiserver answers it ("invalid continue token: ...").
    for malformed in ('bm90LWEtdG9rZW4', '%%%not-base64', token[:-3]):
        status, body = api_error(api.list_namespaced_custom_object, *SWITCHES, limit=100, _continue=malformed)
        assert (status, body['reason'], body['code'], body['kind']) == (400, 'BadRequest', 400, 'Status'), malformed
        assert body['message'].startswith('invalid continue token: continue key is not valid: '), body['message']


def test_the_next_continue_tokens_can_be_made_to_expire_over_https(server, api):
    for number in range(25):
        server.put(switch(f'leaf-{number:03d}'))
    first = api.list_namespaced_custom_object(*SWITCHES, limit=10)
    assert raw_request(server, 'POST', '/_testing/expire-next-continue-tokens', READER, {'count': 1})[0] == 403
    assert raw_request(server, 'POST', '/_testing/expire-next-continue-tokens', server.token, {'count': -1})[0] == 400
    status, body = raw_request(server, 'POST', '/_testing/expire-next-continue-tokens', server.token, {'count': 1})
    assert (status, body) == (200, {'expire_next': 1})
    status, body = api_error(api.list_namespaced_custom_object, *SWITCHES, limit=10,
                             _continue=first['metadata']['continue'])
    assert (status, body['reason']) == (410, 'Expired')
    # Only the next one: a list started over pages through to its end.
    _, items = list_all(api.list_namespaced_custom_object, *SWITCHES, limit=10)
    assert len(items) == 25


def test_label_selector_filters_lists(server, api):
    for number in range(6):
        server.put(switch(f'leaf-{number}', labels={'role': 'leaf', 'rack': str(number % 2)}))
    server.put(switch('spine-1', labels={'role': 'spine'}))

    def names(selector):
        items = api.list_namespaced_custom_object(*SWITCHES, label_selector=selector)['items']
        return [item['metadata']['name'] for item in items]

    assert names('role=leaf,rack=1') == ['leaf-1', 'leaf-3', 'leaf-5']
    assert names('role==spine') == ['spine-1']
    assert names('rack!=1') == ['leaf-0', 'leaf-2', 'leaf-4', 'spine-1']
    assert names('rack in (0),!missing') == ['leaf-0', 'leaf-2', 'leaf-4']
    assert names('role=nothing') == []
    _, items = list_all(api.list_namespaced_custom_object, *SWITCHES, limit=2, label_selector='role=leaf')
    assert len(items) == 6
    status, body = api_error(api.list_namespaced_custom_object, *SWITCHES, label_selector='role=(')
    assert (status, body['reason']) == (400, 'BadRequest')


# Reading and writing single objects

def test_get_returns_the_object_or_404(server, api):
    server.put(switch('leaf-1'))
    obj = api.get_namespaced_custom_object(*SWITCHES, 'leaf-1')
    assert (obj['kind'], obj['metadata']['name'], obj['spec']['role']) == ('Switch', 'leaf-1', 'server-leaf')
    status, body = api_error(api.get_namespaced_custom_object, *SWITCHES, 'leaf-2')
    assert (status, body['kind'], body['status'], body['reason']) == (404, 'Status', 'Failure', 'NotFound')
    assert body['message'] == f'switches.{WIRING} "leaf-2" not found'


def test_create_answers_201_and_409_for_a_duplicate(api):
    created, status, _ = api.create_namespaced_custom_object_with_http_info(*SWITCHES, switch('leaf-1'))
    assert status == 201
    metadata = created['metadata']
    uuid.UUID(metadata['uid'])
    assert TIMESTAMP.fullmatch(metadata['creationTimestamp'])
    assert metadata['generation'] == 1
    assert metadata['resourceVersion'].isdigit()
    assert metadata['namespace'] == 'default'
    status, body = api_error(api.create_namespaced_custom_object, *SWITCHES, switch('leaf-1'))
    assert (status, body['reason']) == (409, 'AlreadyExists')


def test_create_rejects_invalid_objects_with_422(api):
    nameless = switch('x')
    del nameless['metadata']['name']
    wrong_kind = {**switch('leaf-1'), 'kind': 'Server'}
    wrong_version = {**switch('leaf-1'), 'apiVersion': f'{WIRING}/v1alpha1'}
    other_namespace = switch('leaf-1', namespace='fab')
    bad_name = switch('Leaf_1')
    for body in (nameless, wrong_kind, wrong_version, other_namespace, bad_name):
        status, error = api_error(api.create_namespaced_custom_object, *SWITCHES, body)
        assert (status, error['reason']) == (422, 'Invalid'), body
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []


def test_webhook_defaulting_is_applied_on_create_and_update(server, api):
    """Like a cluster with the Hedgehog webhooks: what is stored is the spec after their defaulting."""
    attachment = {'apiVersion': f'{VPC}/v1beta1', 'kind': 'VPCAttachment',
                  'metadata': {'name': 'vpc-1--server-1'}, 'spec': {'subnet': 'vpc-1', 'connection': 'server-1'}}
    created = api.create_namespaced_custom_object(VPC, 'v1beta1', 'default', 'vpcattachments', attachment)
    assert created['spec'] == {'subnet': 'vpc-1/default', 'connection': 'server-1'}
    created = api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1', **{**HYDRATED, 'vlanNamespaces': None}))
    assert created['spec']['vlanNamespaces'] == ['default']
    patched = api.patch_namespaced_custom_object(*SWITCHES, 'leaf-1', {'spec': {'portSpeeds': {'E1/1': 'SPEED_25G'}}})
    assert (patched['spec']['portSpeeds'], patched['spec']['vlanNamespaces']) == ({'E1/1': '25G'}, ['default'])


def test_objects_the_webhooks_refuse_get_422_naming_the_rule(server, api):
    too_long = {'apiVersion': f'{VPC}/v1beta1', 'kind': 'VPC', 'metadata': {'name': 'vpc-toolong-n'},
                'spec': {'subnets': {'default': {'subnet': '10.0.1.0/24', 'vlan': 1001}}}}
    status, body = api_error(api.create_namespaced_custom_object, VPC, 'v1beta1', 'default', 'vpcs', too_long)
    assert (status, body['reason']) == (422, 'Invalid')
    assert body['message'] == ('VPC.vpc.githedgehog.com "vpc-toolong-n" is invalid: metadata.name: admission webhook '
                               'denied the request: name is too long, must be <= 11 characters (value: '
                               '"vpc-toolong-n")')
    api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1'))
    status, body = api_error(api.patch_namespaced_custom_object, *SWITCHES, 'leaf-1', {'spec': {'asn': 70000 * 70000}})
    assert status == 422
    assert body['details']['causes'][0]['field'] == 'spec.asn'
    assert 'must be an integer from 0 to 4294967295 (uint32)' in body['message']
    assert server.get('Switch', 'leaf-1')['spec']['asn'] == 65101, 'nothing of a refused change is stored'


def test_merge_patch_changes_versions_only_for_real_changes(server, api):
    created = api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1'))
    rv = created['metadata']['resourceVersion']

    patched = api.patch_namespaced_custom_object(*SWITCHES, 'leaf-1', {'spec': {'description': 'new'}})
    assert patched['spec'] == {**HYDRATED, 'description': 'new'}
    assert patched['metadata']['generation'] == 2
    assert int(patched['metadata']['resourceVersion']) > int(rv)

    labelled = api.patch_namespaced_custom_object(*SWITCHES, 'leaf-1', {'metadata': {'labels': {'a': 'b'}}})
    assert labelled['metadata']['generation'] == 2
    assert labelled['metadata']['resourceVersion'] != patched['metadata']['resourceVersion']

    list_rv = api.list_namespaced_custom_object(*SWITCHES)['metadata']['resourceVersion']
    same = api.patch_namespaced_custom_object(*SWITCHES, 'leaf-1', {'spec': {'description': 'new'}})
    assert same['metadata'] == labelled['metadata']
    assert api.list_namespaced_custom_object(*SWITCHES)['metadata']['resourceVersion'] == list_rv

    removed = api.patch_namespaced_custom_object(*SWITCHES, 'leaf-1', {'spec': {'description': None}})
    assert removed['spec'] == HYDRATED
    assert removed['metadata']['generation'] == 3

    stale = {'metadata': {'resourceVersion': rv}, 'spec': {'description': 'late'}}
    status, body = api_error(api.patch_namespaced_custom_object, *SWITCHES, 'leaf-1', stale)
    assert (status, body['reason']) == (409, 'Conflict')
    assert server.get('Switch', 'leaf-1')['spec'] == HYDRATED
    status, _ = api_error(api.patch_namespaced_custom_object, *SWITCHES, 'leaf-2', {'spec': {}})
    assert status == 404


def test_json_patch_is_applied(api):
    api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1'))
    operations = [
        {'op': 'test', 'path': '/spec/role', 'value': 'server-leaf'},
        {'op': 'add', 'path': '/spec/groups', 'value': ['mclag-1']},
        {'op': 'remove', 'path': '/spec/description'},
    ]
    patched = api.patch_namespaced_custom_object(
        *SWITCHES, 'leaf-1', operations, _content_type='application/json-patch+json',
    )
    assert patched['spec'] == {**HYDRATED, 'groups': ['mclag-1']}
    failing = [{'op': 'test', 'path': '/spec/role', 'value': 'spine'}]
    status, body = api_error(
        api.patch_namespaced_custom_object, *SWITCHES, 'leaf-1', failing, _content_type='application/json-patch+json',
    )
    assert (status, body['reason']) == (422, 'Invalid')


def test_replace_needs_the_current_resource_version(api):
    created = api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1'))
    spine = {**HYDRATED, 'role': 'spine', 'asn': 65100, 'vtepIP': None}
    changed = {**created, 'spec': spine}

    without = {**changed, 'metadata': {k: v for k, v in created['metadata'].items() if k != 'resourceVersion'}}
    status, body = api_error(api.replace_namespaced_custom_object, *SWITCHES, 'leaf-1', without)
    assert (status, body['reason']) == (422, 'Invalid')

    replaced = api.replace_namespaced_custom_object(*SWITCHES, 'leaf-1', changed)
    assert replaced['spec'] == spine
    assert replaced['metadata']['generation'] == 2
    assert replaced['metadata']['uid'] == created['metadata']['uid']

    status, body = api_error(api.replace_namespaced_custom_object, *SWITCHES, 'leaf-1', changed)
    assert (status, body['reason']) == (409, 'Conflict')
    unchanged = api.replace_namespaced_custom_object(*SWITCHES, 'leaf-1', replaced)
    assert unchanged['metadata']['resourceVersion'] == replaced['metadata']['resourceVersion']


def test_delete_returns_the_object_and_then_404(server, api):
    server.put(switch('leaf-1'))
    deleted = api.delete_namespaced_custom_object(*SWITCHES, 'leaf-1')
    assert deleted['metadata']['name'] == 'leaf-1'
    assert server.get('Switch', 'leaf-1') is None
    status, _ = api_error(api.get_namespaced_custom_object, *SWITCHES, 'leaf-1')
    assert status == 404
    status, _ = api_error(api.delete_namespaced_custom_object, *SWITCHES, 'leaf-1')
    assert status == 404


# Authentication and authorisation

def test_unknown_or_missing_token_is_401(server, connect):
    status, body = api_error(connect(token='not-a-token').list_namespaced_custom_object, *SWITCHES)
    assert (status, body['reason']) == (401, 'Unauthorized')
    assert raw_request(server, 'GET', '/apis')[0] == 401
    assert raw_request(server, 'GET', '/version', token=server.token)[0] == 200


def test_reader_may_read_but_not_write(server, connect):
    server.put(switch('leaf-1'))
    reader = connect(token=READER)
    assert len(reader.list_namespaced_custom_object(*SWITCHES)['items']) == 1
    assert reader.get_namespaced_custom_object(*SWITCHES, 'leaf-1')['metadata']['name'] == 'leaf-1'
    writes = (
        (reader.create_namespaced_custom_object, (*SWITCHES, switch('leaf-2'))),
        (reader.patch_namespaced_custom_object, (*SWITCHES, 'leaf-1', {'spec': {}})),
        (reader.delete_namespaced_custom_object, (*SWITCHES, 'leaf-1')),
    )
    messages = []
    for call, args in writes:
        status, body = api_error(call, *args)
        assert (status, body['reason']) == (403, 'Forbidden')
        messages.append(body['message'])
    assert messages[1] == (
        f'switches.{WIRING} "leaf-1" is forbidden: User "kubeapi-reader" cannot patch resource "switches" '
        f'in API group "{WIRING}" in the namespace "default"'
    )
    assert server.get('Switch', 'leaf-1') is not None


def test_forbidden_role_and_group_limits(connect):
    forbidden = connect(token=FORBIDDEN)
    for call, args in ((forbidden.list_namespaced_custom_object, SWITCHES),
                       (forbidden.get_api_resources, (WIRING, 'v1beta1'))):
        status, body = api_error(call, *args)
        assert (status, body['reason']) == (403, 'Forbidden')
    wiring_only = connect(token=WIRING_ONLY)
    assert wiring_only.list_namespaced_custom_object(*SWITCHES)['items'] == []
    status, _ = api_error(wiring_only.list_namespaced_custom_object, VPC, 'v1beta1', 'default', 'vpcs')
    assert status == 403


# Faults

def test_injected_errors_surface_as_api_exceptions(server, api):
    server.inject(method='GET', status=500)
    server.inject(path_regex=r'/switches$', status=503, count=2)
    assert api_error(api.list_namespaced_custom_object, *SWITCHES)[0] == 500
    status, body = api_error(api.list_namespaced_custom_object, *SWITCHES)
    assert (status, body['reason']) == (503, 'ServiceUnavailable')
    assert api_error(api.create_namespaced_custom_object, *SWITCHES, switch('leaf-1'))[0] == 503
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []
    assert [entry.status for entry in server.request_log] == [500, 503, 503, 200]
    assert server.request_log[0].path == f'/apis/{WIRING}/v1beta1/namespaces/default/switches'

    server.inject(status=500, count=None)
    server.clear_faults()
    server.reset_log()
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []
    assert [(entry.method, entry.status) for entry in server.request_log] == [('GET', 200)]


def test_dropped_connection_is_a_protocol_error(server, api):
    server.inject(method='POST', drop=True)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.create_namespaced_custom_object(*SWITCHES, switch('leaf-1'))

    # urllib3 retries idempotent requests three times, so only a longer outage reaches the caller.
    server.inject(method='GET', drop=True)
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []
    server.inject(method='GET', drop=True, count=4)
    with pytest.raises(urllib3.exceptions.MaxRetryError) as info:
        api.list_namespaced_custom_object(*SWITCHES)
    assert isinstance(info.value.reason, urllib3.exceptions.ProtocolError)
    assert [entry.status for entry in server.request_log] == [None, None, 200, None, None, None, None]


def test_slow_responses_trigger_the_client_timeout(server, api):
    server.inject(method='GET', delay=2, count=4)
    started = time.monotonic()
    with pytest.raises(urllib3.exceptions.MaxRetryError) as info:
        api.list_namespaced_custom_object(*SWITCHES, _request_timeout=0.2)
    assert isinstance(info.value.reason, urllib3.exceptions.ReadTimeoutError)
    assert time.monotonic() - started < 1.9

    server.inject(method='GET', delay=0.3)
    assert api.list_namespaced_custom_object(*SWITCHES, _request_timeout=2)['items'] == []

    server.latency = 0.2
    started = time.monotonic()
    api.list_namespaced_custom_object(*SWITCHES)
    assert time.monotonic() - started >= 0.2


def test_uninstalled_kind_is_404_and_missing_from_discovery(server, api):
    server.put(switch('leaf-1'))
    server.uninstall('Switch')
    status, body = api_error(api.list_namespaced_custom_object, *SWITCHES)
    assert (status, body['reason']) == (404, 'NotFound')
    assert api_error(api.get_namespaced_custom_object, *SWITCHES, 'leaf-1')[0] == 404
    plurals = [resource.name for resource in api.get_api_resources(WIRING, 'v1beta1').resources]
    assert 'switches' not in plurals and 'connections' in plurals

    for kind in ('GatewayGroup', 'Gateway', 'GatewayPeering'):
        server.uninstall(kind)
    groups = client.ApisApi(api.api_client).get_api_versions().groups
    assert GATEWAY not in {group.name for group in groups}
    assert api_error(api.get_api_resources, GATEWAY, 'v1alpha1')[0] == 404

    server.install('Switch')
    assert len(api.list_namespaced_custom_object(*SWITCHES)['items']) == 1


def test_admin_routes_drive_a_server_over_https(server, api):
    assert raw_request(server, 'POST', '/_testing/faults', READER, {'status': 503})[0] == 403
    status, body = raw_request(server, 'POST', '/_testing/faults', server.token,
                               {'method': 'GET', 'path_regex': 'switches', 'status': 503})
    assert (status, body['pending']) == (200, 1)
    assert api_error(api.list_namespaced_custom_object, *SWITCHES)[0] == 503
    assert raw_request(server, 'POST', '/_testing/faults', server.token, {'status': 500, 'count': None})[0] == 200
    assert raw_request(server, 'POST', '/_testing/faults', server.token, {'clear': True})[1]['pending'] == 0
    assert api.list_namespaced_custom_object(*SWITCHES)['items'] == []

    assert raw_request(server, 'POST', '/_testing/uninstall', server.token, {'kind': 'Switch'})[0] == 200
    assert api_error(api.list_namespaced_custom_object, *SWITCHES)[0] == 404
    assert raw_request(server, 'POST', '/_testing/install', server.token, {'kind': 'Switch'})[0] == 200
    assert raw_request(server, 'POST', '/_testing/install', server.token, {'kind': 'Catalog'})[0] == 400

    status, body = raw_request(server, 'GET', '/_testing/log', server.token)
    assert [entry['status'] for entry in body['requests']] == [503, 200, 404]


# Data API and sample files

def test_data_api_keeps_kubernetes_versioning(server):
    stored = server.put(switch('leaf-1'))
    assert server.put(switch('leaf-1'))['metadata'] == stored['metadata']
    changed = server.put(switch('leaf-1', role='spine'))
    assert changed['metadata']['generation'] == 2
    assert changed['metadata']['uid'] == stored['metadata']['uid']
    server.put(switch('leaf-2', namespace='lab'))
    assert server.get('Switch', 'leaf-2') is None
    assert server.get('Switch', 'leaf-2', namespace='lab')['metadata']['namespace'] == 'lab'
    assert [obj['metadata']['name'] for obj in server.objects('Switch')] == ['leaf-1', 'leaf-2']
    assert server.delete('Switch', 'leaf-2', namespace='lab')['metadata']['name'] == 'leaf-2'
    assert server.delete('Switch', 'leaf-2', namespace='lab') is None
    with pytest.raises(ValueError):
        server.put({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'x'}})
    server.clear()
    assert server.objects() == []


def test_load_yaml_skips_comments_and_reports_unserved_kinds(server):
    text = (
        '# only a comment\n---\n---\n'
        f'apiVersion: {WIRING}/v1beta1\nkind: Switch\nmetadata:\n  name: leaf-1\n  namespace: lab\nspec: {{}}\n---\n'
        'apiVersion: agent.githedgehog.com/v1beta1\nkind: Catalog\nmetadata:\n  name: leaf-1\n'
    )
    result = server.load_yaml(text)
    assert result.loaded == {'Switch': 1}
    assert result.ignored == [('agent.githedgehog.com/v1beta1', 'Catalog', 'leaf-1')]
    assert server.get('Switch', 'leaf-1', namespace='lab') is not None


def test_demo_fabric_loads_with_its_counts(server, api):
    for path, expected in FABRIC_COUNTS.items():
        server.clear()
        result = server.load_yaml(path)
        assert (result.loaded, result.ignored) == (expected, []), path.name
    server.clear()
    for path in FABRIC_COUNTS:
        server.load_yaml(path)
    assert server.count() == sum(sum(counts.values()) for counts in FABRIC_COUNTS.values()) == 56
    connections = api.list_namespaced_custom_object(WIRING, 'v1beta1', 'default', 'connections')['items']
    assert len(connections) == 20


@needs_samples
def test_sample_files_load_with_the_documented_counts(server, api):
    for name, expected in SAMPLE_COUNTS.items():
        server.clear()
        result = server.load_yaml(SAMPLES / name)
        assert (result.loaded, result.ignored) == (expected, []), name
        assert {spec.kind: server.count(spec.kind) for spec in KINDS if server.count(spec.kind)} == expected, name

    server.clear()
    for name in SAMPLE_COUNTS:
        server.load_yaml(str(SAMPLES / name))
    # Both wiring diagrams define VLANNamespace "default" and IPv4Namespace "default": 89 documents, 87 objects.
    assert server.count() == 87
    assert server.get('Gateway', 'gateway-1', namespace='fab') is not None
    gateways = (GATEWAY, 'v1alpha1', 'default', 'gateways')
    assert len(api.list_namespaced_custom_object(*gateways)['items']) == 2
    assert len(api.list_cluster_custom_object(GATEWAY, 'v1alpha1', 'gateways')['items']) == 3
    connections = api.list_namespaced_custom_object(WIRING, 'v1beta1', 'default', 'connections')['items']
    assert len(connections) == 36


def test_restart_keeps_port_ca_and_data(server, api):
    server.put(switch('leaf-1'))
    port, ca = server.port, server.ca_pem
    server.stop()
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        api.list_namespaced_custom_object(*SWITCHES, _request_timeout=1)
    server.start()
    assert (server.port, server.ca_pem) == (port, ca)
    assert len(api.list_namespaced_custom_object(*SWITCHES)['items']) == 1


# Command line

def test_command_line_serves_until_sigterm(tmp_path, connect):
    kubeconfig = tmp_path / 'kubeconfig.yaml'
    sample = tmp_path / 'switches.yaml'
    sample.write_text(yaml.safe_dump_all([switch('leaf-1'), switch('leaf-2')]))
    process = subprocess.Popen(
        [sys.executable, '-m', 'hedgehog_devtools.kubeapi', '--port', '0', '--kubeconfig', str(kubeconfig),
         str(sample)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 15)
        assert ready, 'the server did not start'
        line = process.stdout.readline().strip()
        match = re.fullmatch(r'kubeapi listening on (https://127\.0\.0\.1:\d+) \((\d+) objects\)', line)
        assert match, line
        assert match.group(2) == '2'
        assert yaml.safe_load(kubeconfig.read_text())['clusters'][0]['cluster']['server'] == match.group(1)
        api = connect(kubeconfig=kubeconfig.read_text())
        names = [item['metadata']['name'] for item in api.list_namespaced_custom_object(*SWITCHES)['items']]
        assert names == ['leaf-1', 'leaf-2']
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
