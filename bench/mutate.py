"""Change and delete a fraction of a fabric's objects through the Kubernetes API, keeping the fabric valid.

Changes are valid edits a person would make (a description, an MTU, a VPC default, an annotation) and never touch
SwitchProfiles, which the fabric controller owns. Deletions only hit objects nothing references (VPC attachments
and peerings), as the fabric's webhooks would refuse the others.
"""
import random

import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from netbox_hedgehog.kinds import KIND_BY_NAME, KINDS
from netbox_hedgehog.live.agents import AGENT

__all__ = (
    'apply_mutations',
    'list_objects',
    'plan_mutations',
)

CHANGE_FRACTION = 0.01
DELETE_FRACTION = 0.005
DELETABLE_KINDS = ('VPCAttachment', 'VPCPeering', 'ExternalPeering')
SERVER_CONNECTIONS = ('unbundled', 'bundled', 'eslag')
REVISION_ANNOTATION = 'bench.githedgehog.com/revision'
PAGE_SIZE = 500


def _change(obj):
    """A JSON merge patch that changes `obj` the way an operator would."""
    kind, spec = obj['kind'], obj.get('spec') or {}
    if kind in ('Switch', 'Server'):
        return {'spec': {'description': f'{spec.get("description", "")} (changed)'}}
    if kind == 'Connection' and (ctype := next(iter(spec), None)) in SERVER_CONNECTIONS:
        return {'spec': {ctype: {'mtu': 9000}}}
    if kind == 'VPC':
        return {'spec': {'defaultIsolated': not spec.get('defaultIsolated', False)}}
    return {'metadata': {'annotations': {REVISION_ANNOTATION: '2'}}}


def _stratified(rng, objects, fraction):
    """A sample of about `fraction` of `objects`, taken per kind in proportion, with at least one of each kind, so
    that every kind's update or delete path runs at every fabric size."""
    by_kind = {}
    for obj in objects:
        by_kind.setdefault(obj['kind'], []).append(obj)
    return [obj for items in by_kind.values() for obj in rng.sample(items, max(1, round(len(items) * fraction)))]


def plan_mutations(objects, seed, change_fraction=CHANGE_FRACTION, delete_fraction=DELETE_FRACTION):
    """Pick what to change and delete: ([(kind, name, merge patch)], [(kind, name)]), deterministic for `seed`.

    About `delete_fraction` of all objects are deleted, spread over the kinds nothing references, and about
    `change_fraction` of all objects are changed, spread over every other kind but SwitchProfile.
    """
    rng = random.Random(seed)
    deletable = [obj for obj in objects if obj['kind'] in DELETABLE_KINDS]
    deleted = _stratified(rng, deletable, delete_fraction * len(objects) / len(deletable))
    gone = {id(obj) for obj in deleted}
    changeable = [obj for obj in objects if id(obj) not in gone and not KIND_BY_NAME[obj['kind']].read_only]
    changed = _stratified(rng, changeable, change_fraction * len(objects) / len(changeable))
    return (
        [(obj['kind'], obj['metadata']['name'], _change(obj)) for obj in changed],
        [(obj['kind'], obj['metadata']['name']) for obj in deleted],
    )


def _api(kubeconfig):
    api_client = k8s_config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
    return k8s.CustomObjectsApi(api_client)


def list_objects(kubeconfig, namespace='default'):
    """Every object of every kind the server holds, read page by page."""
    api = _api(kubeconfig)
    objects = []
    for kind_spec in KINDS:
        token = None
        while True:
            page = api.list_namespaced_custom_object(kind_spec.group, kind_spec.version, namespace, kind_spec.plural,
                                                     limit=PAGE_SIZE, _continue=token)
            for item in page['items']:
                item.setdefault('kind', kind_spec.kind)
            objects += page['items']
            token = page['metadata'].get('continue')
            if not token:
                break
    api.api_client.close()
    return objects


def apply_mutations(kubeconfig, changes, deletions, namespace='default'):
    """Send the merge patches (of any kind, or of Agents) and deletions to the API server."""
    api = _api(kubeconfig)
    for kind, name, patch in changes:
        spec = AGENT if kind == AGENT.kind else KIND_BY_NAME[kind]
        api.patch_namespaced_custom_object(spec.group, spec.version, namespace, spec.plural, name, patch)
    for kind, name in deletions:
        spec = KIND_BY_NAME[kind]
        api.delete_namespaced_custom_object(spec.group, spec.version, namespace, spec.plural, name)
    api.api_client.close()
