"""Apply an edit made in NetBox to the fabric's Kubernetes API (fabrics whose write mode is "cluster").

Every write is first submitted as a server-side dry run (`dryRun=All`), so that the fabric's admission webhooks judge
it before anything changes. Then the object is created, replaced with the resourceVersion NetBox last read (the API
server answers 409 Conflict when the cluster changed since), or deleted with uid and resourceVersion preconditions.
Before that, the object is judged by the admission rules with the fabric's other objects as NetBox holds them.
A refusal at any step leaves the cluster as it was and raises ClusterError with the API server's own message,
which the object keeps in `apply_error`. A successful write leaves the object "pending apply" until the next sync
reads it back from the cluster.
"""
import json

from django.db import transaction
from django.utils import timezone
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from netbox_hedgehog.crypto import CredentialError
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.validation import Refusal, validate

from .client import fabric_api
from .errors import ClusterError, describe, server_label

__all__ = (
    'CLUSTER_DELETE_FAILURES_KEPT',
    'apply_deletion',
    'apply_object',
    'mark_pending',
)

# How many failed deletions a fabric keeps to show (newest first).
CLUSTER_DELETE_FAILURES_KEPT = 10


def mark_pending(instance):
    """Record that an edit of `instance` waits to be applied to the cluster (a new edit clears an old failure)."""
    now = timezone.now()
    type(instance).objects.filter(pk=instance.pk).update(apply_pending_since=now, apply_error='')
    instance.apply_pending_since, instance.apply_error = now, ''


def _server_message(exc):
    """The message of the Status the API server answered with ('' when there is none)."""
    try:
        body = json.loads(exc.body or '')
    except (TypeError, ValueError):
        return ''
    message = body.get('message') if isinstance(body, dict) else None
    return message if isinstance(message, str) else ''


def _refusal(exc, server, verb, kind_spec, name, timeout):
    """A ClusterError saying why the API server did not take the write, in its own words where it gave them."""
    if not isinstance(exc, ApiException) or not exc.status or exc.status == 401 or exc.status >= 500:
        return describe(exc, server, kind_spec, timeout)
    what = f'{verb} {kind_spec.kind} {name}'
    message = _server_message(exc) or f'{exc.status} {exc.reason or ""}'.strip()
    hint = ''
    if exc.status == 409:
        hint = (' The object changed in the cluster since NetBox read it (or the precondition no longer holds): '
                'sync the fabric, then make the edit again.')
    elif exc.status == 403:
        hint = (' The fabric\'s credentials may only read: give its service account the read-write role '
                '(deploy/kubernetes/fabric-access/clusterrole-readwrite.yaml).')
    return ClusterError(f'The API server at {server_label(server)} refused to {what} ({exc.status}): {message}. '
                        f'The cluster was not changed.{hint}', exc.status)


def _submit(writes, server, kind_spec, timeout):
    """Submit every (verb, name, write) as a dry run, then each for real; raise ClusterError on any refusal or
    failure (a refused dry run changes nothing at all)."""
    for dry_run in ('All', None):
        for verb, name, write in writes:
            try:
                write(dry_run)
            except Exception as e:
                raise _refusal(e, server, verb, kind_spec, name, timeout) from None


def _deletion(api, fabric, kind_spec, name, uid, resource_version, timeout):
    """The write deleting `name` only if it is still the object NetBox read (uid and resourceVersion
    preconditions)."""
    options = k8s.V1DeleteOptions(preconditions=k8s.V1Preconditions(uid=uid, resource_version=resource_version))

    def write(dry_run):
        api.delete_namespaced_custom_object(
            kind_spec.group, kind_spec.version, fabric.kubernetes_namespace, kind_spec.plural, name, body=options,
            dry_run=dry_run, _request_timeout=timeout,
        )
    return 'delete', name, write


def apply_object(instance, previous=None):
    """Create `instance` in its fabric's cluster (when NetBox never read it from there) or replace it there with
    the resourceVersion NetBox last read. A renamed object (`previous`: the old name, uid and resourceVersion) is
    created under its new name and the old one deleted with preconditions. On failure the object keeps the API
    server's message and is no longer pending; the next sync then restores it from the cluster."""
    kind_spec = instance.kind_spec()
    fabric = instance.fabric
    body = instance.to_manifest()
    old_name, old_uid, old_version = previous or ('', '', '')
    create = not instance.uid or bool(previous)
    if not create:
        body['metadata']['resourceVersion'] = instance.resource_version
    try:
        try:
            validate(instance.kind, instance.name, instance.spec, instance.annotations, world=instance.world(),
                     config=fabric.admission_config)
        except Refusal as e:
            raise ClusterError(f'{instance.kind} {instance.name} is refused by the fabric\'s admission rules ({e}); '
                               f'the cluster was not changed.') from e
        with fabric_api(fabric) as (api, server, timeout):
            common = (kind_spec.group, kind_spec.version, fabric.kubernetes_namespace, kind_spec.plural)
            if create:
                def write(dry_run):
                    api.create_namespaced_custom_object(*common, body, dry_run=dry_run, _request_timeout=timeout)
            else:
                def write(dry_run):
                    api.replace_namespaced_custom_object(*common, instance.name, body, dry_run=dry_run,
                                                         _request_timeout=timeout)
            writes = [('create' if create else 'update', instance.name, write)]
            if old_uid:
                writes.append(_deletion(api, fabric, kind_spec, old_name, old_uid, old_version, timeout))
            _submit(writes, server, kind_spec, timeout)
    except ClusterError as e:
        type(instance).objects.filter(pk=instance.pk).update(apply_pending_since=None, apply_error=str(e))
        raise
    return f'renamed from {old_name}' if previous else 'created' if create else 'updated'


def apply_deletion(fabric, kind_spec, name, uid, resource_version):
    """Delete one object from the fabric's cluster, only if it is still the one NetBox read.

    The object is already gone from NetBox, so a refusal is kept on the fabric (its page lists the failed
    deletions with the API server's message; the next sync shows the object again); a later successful deletion of
    the same object clears it."""
    try:
        with fabric_api(fabric) as (api, server, timeout):
            _submit([_deletion(api, fabric, kind_spec, name, uid, resource_version, timeout)], server, kind_spec,
                    timeout)
    except (ClusterError, CredentialError) as e:
        _record_delete_failure(fabric, kind_spec.kind, name, str(e))
        raise
    _record_delete_failure(fabric, kind_spec.kind, name, None)


def _record_delete_failure(fabric, kind, name, message):
    """Keep (or, with message None, forget) the failed deletion of one object on its fabric, newest first."""
    with transaction.atomic():
        failures = Fabric.objects.select_for_update().filter(pk=fabric.pk).values_list(
            'cluster_delete_failures', flat=True).first()
        if failures is None:
            return
        kept = [f for f in failures if (f.get('kind'), f.get('name')) != (kind, name)]
        if message is not None:
            kept.insert(0, {'at': timezone.now().isoformat(), 'kind': kind, 'name': name, 'message': message})
        if kept != failures:
            Fabric.objects.filter(pk=fabric.pk).update(cluster_delete_failures=kept[:CLUSTER_DELETE_FAILURES_KEPT])
