import yaml
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from netbox.ui import attrs, panels
from netbox.ui.actions import CopyContent

from netbox_hedgehog.choices import DriftStatusChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.utils import resolve_reference

from .attrs import MappingAttr, PresenceAttr, ReferenceAttr, ReviewAttr

__all__ = (
    'ConnectionEndpointsPanel',
    'DanglingReferencesPanel',
    'ConnectionPanel',
    'DriftPanel',
    'ExternalAttachmentPanel',
    'ExternalPanel',
    'ExternalPeeringPanel',
    'FabricClusterDeleteFailuresPanel',
    'FabricDanglingPanel',
    'FabricDriftPanel',
    'FabricGitPanel',
    'FabricInventoryPanel',
    'FabricKubernetesPanel',
    'FabricPanel',
    'FabricSettingsPanel',
    'FabricSyncActivityPanel',
    'FabricSyncPanel',
    'GatewayPanel',
    'GatewayPeeringPanel',
    'HedgehogResourcePanel',
    'IPv4NamespacePanel',
    'KeyValuePanel',
    'KubernetesIdentityPanel',
    'ManifestPanel',
    'NetBoxObjectsPanel',
    'PortMapPanel',
    'ServerPanel',
    'SwitchPanel',
    'SwitchProfilePanel',
    'SyncChangesPanel',
    'SyncRunCountsPanel',
    'SyncRunPanel',
    'VLANNamespacePanel',
    'VPCAttachmentPanel',
    'VPCPanel',
    'VPCPeeringPanel',
    'sync_activity_context',
)


#
# Fabric
#

class FabricPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    status = attrs.ChoiceAttr('status')
    write_mode = attrs.ChoiceAttr('write_mode', label=_('Write mode'))
    description = attrs.TextAttr('description')


class FabricKubernetesPanel(panels.ObjectAttributesPanel):
    """The cluster connection; credentials appear only as stored or not."""
    title = _('Kubernetes')

    kubernetes_server = attrs.TextAttr('kubernetes_server', label=_('API server'), copy_button=True)
    kubernetes_namespace = attrs.TextAttr('kubernetes_namespace', label=_('Namespace'))
    verify_tls = attrs.BooleanAttr('verify_tls', label=_('Verify TLS'))
    kubeconfig = attrs.BooleanAttr('has_kubeconfig', label=_('Kubeconfig stored'))
    kubernetes_token = attrs.BooleanAttr('has_kubernetes_token', label=_('Bearer token stored'))
    kubernetes_ca_cert = PresenceAttr('kubernetes_ca_cert', label=_('CA bundle'))
    connection_status = attrs.ChoiceAttr('connection_status', label=_('Connection'))
    connection_message = attrs.TextAttr('connection_message', label=_('Connection message'))


class FabricGitPanel(panels.ObjectAttributesPanel):
    title = _('Git')

    git_url = attrs.TextAttr('git_url', label=_('Repository'), copy_button=True)
    git_branch = attrs.TextAttr('git_branch', label=_('Branch'))
    git_write_branch = attrs.TextAttr('git_write_branch', label=_('Review branch'))
    git_review = ReviewAttr('git_review_text', label=_('Waiting for review'))
    git_review_deletions = attrs.TextAttr('git_review_deletions_text', label=_('Deletions waiting for review'))
    git_path = attrs.TextAttr('git_path', label=_('Path'))
    git_scope = attrs.TextAttr('git_scope_text', label=_('Kinds in Git'))
    git_token = attrs.BooleanAttr('has_git_token', label=_('Token stored'))
    git_ssh_key = attrs.BooleanAttr('has_git_ssh_key', label=_('SSH key stored'))
    git_author_name = attrs.TextAttr('git_author_name', label=_('Commit author'))
    git_author_email = attrs.TextAttr('git_author_email', label=_('Commit email'))
    git_commit = attrs.TextAttr('git_commit', label=_('Commit loaded'), style='font-monospace', copy_button=True)
    drift_status = attrs.ChoiceAttr('drift_status', label=_('Drift'))
    drift_count = attrs.NumericAttr('drift_count', label=_('Drifted objects'))


class FabricSyncPanel(panels.ObjectAttributesPanel):
    title = _('Sync')

    sync_enabled = attrs.BooleanAttr('sync_enabled', label=_('Scheduled sync'))
    sync_interval = attrs.TextAttr('sync_interval', label=_('Interval'), format_string=_('{} seconds'))
    sync_status = attrs.ChoiceAttr('sync_status', label=_('Sync'))
    last_sync = attrs.DateTimeAttr('last_sync', label=_('Last successful sync'))
    last_sync_attempt = attrs.DateTimeAttr('last_sync_attempt', label=_('Last attempt'))
    last_sync_error = attrs.TextAttr('last_sync_error', label=_('Last error'), style='text-danger')


class FabricClusterDeleteFailuresPanel(panels.ObjectPanel):
    """The latest deletions made in NetBox that the fabric's cluster refused (shown only when there are some)."""
    template_name = 'netbox_hedgehog/panels/cluster_delete_failures.html'
    title = _('Deletions the cluster refused')

    def should_render(self, context):
        return bool(context['object'].cluster_delete_failures)

    def get_context(self, context):
        ctx = super().get_context(context)
        failures = ctx['object'].cluster_delete_failures
        return {**ctx, 'failures': [{**failure, 'at': parse_datetime(failure['at'])} for failure in failures]}


class FabricSettingsPanel(panels.ObjectPanel):
    """The fabric controller's settings the admission rules use, where they were read, or why none are known."""
    template_name = 'netbox_hedgehog/panels/fabric_settings.html'
    title = _('Fabric settings')

    def get_context(self, context):
        ctx = super().get_context(context)
        settings = ctx['object'].fabric_settings
        return {**ctx, 'entries': [(key, _shown_setting(value)) for key, value in settings.items()]}


def _shown_setting(value):
    """A setting as people read it: VLAN ranges as from-to, lists and maps joined."""
    if isinstance(value, dict):
        return ', '.join(f'{key}: {item}' for key, item in value.items())
    if isinstance(value, list):
        return ', '.join(f'{item[0]}-{item[1]}' if isinstance(item, list) else str(item) for item in value)
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


class FabricInventoryPanel(panels.ObjectAttributesPanel):
    """Where the fabric shows in NetBox's own inventory."""
    title = _('NetBox inventory')

    inventory_site = attrs.RelatedObjectAttr('inventory_site', linkify=True, label=_('Site'))
    inventory_tenant = attrs.RelatedObjectAttr('inventory_tenant', linkify=True, label=_('Tenant'))


#
# Every Hedgehog kind
#

class HedgehogResourcePanel(panels.ObjectAttributesPanel):
    """The attributes of a Hedgehog object; subclasses add the typed columns of their kind."""
    fabric = attrs.RelatedObjectAttr('fabric', linkify=True)
    name = attrs.TextAttr('name', copy_button=True)


class KubernetesIdentityPanel(panels.ObjectAttributesPanel):
    title = _('Kubernetes')

    kind = attrs.TextAttr('kind')
    namespace = attrs.TextAttr('fabric.kubernetes_namespace', label=_('Namespace'))
    uid = attrs.TextAttr('uid', label=_('UID'), style='font-monospace', copy_button=True)
    resource_version = attrs.TextAttr('resource_version', label=_('Resource version'))
    generation = attrs.NumericAttr('generation')
    creation_timestamp = attrs.DateTimeAttr('creation_timestamp', label=_('Created'))
    apply_pending_since = attrs.DateTimeAttr('apply_pending_since', label=_('Pending apply since'))
    apply_error = attrs.TextAttr('apply_error', label=_('Apply to the cluster failed'), style='text-danger')


class KeyValuePanel(panels.ObjectPanel):
    """A mapping field of the object (such as its labels) as a table of keys and values."""
    template_name = 'netbox_hedgehog/panels/key_value.html'

    def __init__(self, field_name, **kwargs):
        super().__init__(**kwargs)
        self.field_name = field_name

    def get_context(self, context):
        ctx = super().get_context(context)
        return {
            **ctx,
            'entries': sorted((getattr(ctx['object'], self.field_name) or {}).items()),
        }


class ManifestPanel(panels.ObjectPanel):
    """The object as the Kubernetes manifest NetBox would write."""
    template_name = 'netbox_hedgehog/panels/manifest.html'
    title = _('YAML')
    actions = [CopyContent('manifest')]

    def get_context(self, context):
        ctx = super().get_context(context)
        return {
            **ctx,
            'manifest': ctx['object'].to_yaml(),
        }


class NetBoxObjectsPanel(panels.ObjectPanel):
    """The NetBox inventory objects (dcim/ipam) the fabric's projection made of this object or adopted for it."""
    template_name = 'netbox_hedgehog/panels/netbox_objects.html'
    title = _('NetBox inventory')

    def get_context(self, context):
        from netbox_hedgehog.inventory.links import netbox_objects
        ctx = super().get_context(context)
        return {**ctx, 'netbox_links': netbox_objects(ctx['object'])}


class PortMapPanel(panels.ObjectPanel):
    """Every port of a switch, server or gateway in NetBox's inventory: what is cabled to it, its LAG, breakout
    state and the VPC subnets (VLANs) that reach it through attachments."""
    template_name = 'netbox_hedgehog/panels/port_map.html'
    title = _('Port map')

    def get_context(self, context):
        from netbox_hedgehog.inventory.links import port_map
        ctx = super().get_context(context)
        device, rows = port_map(ctx['object'])
        return {**ctx, 'device': device, 'ports': rows}


#
# Wiring
#

class VLANNamespacePanel(HedgehogResourcePanel):
    ranges = attrs.ArrayAttr('ranges')


class SwitchProfilePanel(HedgehogResourcePanel):
    display_name = attrs.TextAttr('display_name', label=_('Display name'))
    switch_silicon = attrs.TextAttr('switch_silicon', label=_('Switch silicon'))
    nos_type = attrs.TextAttr('nos_type', label=_('NOS type'))
    platform = attrs.TextAttr('platform')
    port_count = attrs.NumericAttr('port_count', label=_('Ports'))


class SwitchPanel(HedgehogResourcePanel):
    role = attrs.ChoiceAttr('role')
    description = attrs.TextAttr('description')
    profile = ReferenceAttr('profile')
    groups = ReferenceAttr('groups')
    redundancy_group = ReferenceAttr('redundancy_group', label=_('Redundancy group'))
    redundancy_type = attrs.TextAttr('redundancy_type', label=_('Redundancy type'))
    vlan_namespaces = ReferenceAttr('vlan_namespaces', label=_('VLAN namespaces'))
    asn = attrs.NumericAttr('asn', label=_('ASN'))
    ip = attrs.TextAttr('ip', label=_('Management IP'))
    protocol_ip = attrs.TextAttr('protocol_ip', label=_('Protocol IP'))
    vtep_ip = attrs.TextAttr('vtep_ip', label=_('VTEP IP'))
    boot_serial = attrs.TextAttr('boot_serial', label=_('Serial'))
    boot_mac = attrs.TextAttr('boot_mac', label=_('Boot MAC'))
    breakouts = MappingAttr('breakouts', label=_('Port breakouts'))


class ServerPanel(HedgehogResourcePanel):
    description = attrs.TextAttr('description')
    profile = attrs.TextAttr('profile')


class ConnectionPanel(HedgehogResourcePanel):
    connection_type = attrs.ChoiceAttr('connection_type', label=_('Type'))
    switches = ReferenceAttr('switches')
    servers = ReferenceAttr('servers')
    gateways = ReferenceAttr('gateways')
    link_count = attrs.NumericAttr('link_count', label=_('Links'))
    vpc = ReferenceAttr('vpc', label=_('Within VPC'))


class ConnectionEndpointsPanel(panels.ObjectPanel):
    """Each port of a connection with its role in the link and its device."""
    template_name = 'netbox_hedgehog/panels/connection_endpoints.html'
    title = _('Endpoints')

    # The reference column holding each kind of endpoint device.
    device_columns = {'switch': 'switches', 'server': 'servers', 'gateway': 'gateways'}

    def get_context(self, context):
        ctx = super().get_context(context)
        connection = ctx['object']
        return {
            **ctx,
            'endpoints': [
                {
                    **endpoint,
                    'target': resolve_reference(
                        connection, self.device_columns[endpoint['device_kind']], endpoint['device']
                    ),
                }
                for endpoint in connection.endpoints
            ],
        }


#
# VPCs
#

class IPv4NamespacePanel(HedgehogResourcePanel):
    subnets = attrs.ArrayAttr('subnets')


class VPCPanel(HedgehogResourcePanel):
    mode = attrs.ChoiceAttr('mode')
    ipv4_namespace = ReferenceAttr('ipv4_namespace', label=_('IPv4 namespace'))
    vlan_namespace = ReferenceAttr('vlan_namespace', label=_('VLAN namespace'))
    subnet_names = attrs.ArrayAttr('subnet_names', label=_('Subnet names'))
    subnets = attrs.ArrayAttr('subnets')
    vlans = attrs.ArrayAttr('vlans', label=_('VLANs'))


class VPCAttachmentPanel(HedgehogResourcePanel):
    vpc = ReferenceAttr('vpc', label=_('VPC'))
    subnet = attrs.TextAttr('subnet')
    connection = ReferenceAttr('connection')
    native_vlan = attrs.BooleanAttr('native_vlan', label=_('Native VLAN'))


class VPCPeeringPanel(HedgehogResourcePanel):
    vpcs = ReferenceAttr('vpcs', label=_('VPCs'))


#
# Externals
#

class ExternalPanel(HedgehogResourcePanel):
    external_type = attrs.ChoiceAttr('external_type', label=_('Type'))
    ipv4_namespace = ReferenceAttr('ipv4_namespace', label=_('IPv4 namespace'))
    inbound_community = attrs.TextAttr('inbound_community', label=_('Inbound community'))
    outbound_community = attrs.TextAttr('outbound_community', label=_('Outbound community'))
    static_prefixes = attrs.ArrayAttr('static_prefixes', label=_('Static prefixes'))


class ExternalAttachmentPanel(HedgehogResourcePanel):
    external_type = attrs.ChoiceAttr('external_type', label=_('Type'))
    external = ReferenceAttr('external')
    connection = ReferenceAttr('connection')
    vlan = attrs.NumericAttr('vlan', label=_('VLAN'))
    switch_ip = attrs.TextAttr('switch_ip', label=_('Switch IP'))
    neighbor_asn = attrs.NumericAttr('neighbor_asn', label=_('Neighbor ASN'))
    neighbor_ip = attrs.TextAttr('neighbor_ip', label=_('Neighbor IP'))


class ExternalPeeringPanel(HedgehogResourcePanel):
    vpc = ReferenceAttr('vpc', label=_('VPC'))
    vpc_subnets = attrs.ArrayAttr('vpc_subnets', label=_('VPC subnets'))
    external = ReferenceAttr('external')
    prefixes = attrs.ArrayAttr('prefixes')


#
# Gateways
#

class GatewayPanel(HedgehogResourcePanel):
    asn = attrs.NumericAttr('asn', label=_('ASN'))
    protocol_ip = attrs.TextAttr('protocol_ip', label=_('Protocol IP'))
    vtep_ip = attrs.TextAttr('vtep_ip', label=_('VTEP IP'))
    workers = attrs.NumericAttr('workers')
    interfaces = attrs.ArrayAttr('interfaces')
    groups = ReferenceAttr('groups')


class GatewayPeeringPanel(HedgehogResourcePanel):
    gateway_group = ReferenceAttr('gateway_group', label=_('Gateway group'))
    vpcs = ReferenceAttr('vpcs', label=_('VPCs'))
    prefixes = attrs.ArrayAttr('prefixes', label=_('Exposed prefixes'))


#
# Sync activity and history
#

class FabricSyncActivityPanel(panels.ObjectPanel):
    """What the fabric's sync is doing now, when it runs next, what stands in its way, and its latest runs."""
    template_name = 'netbox_hedgehog/panels/sync_activity.html'
    title = _('Sync activity')

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, **sync_activity_context(ctx['object'])}


def sync_activity_context(fabric):
    from netbox_hedgehog.choices import SyncRunStatusChoices
    from netbox_hedgehog.scheduling import next_sync_time, queue_health
    return {
        'problems': queue_health(),
        'next_sync': next_sync_time(fabric),
        'active_run': fabric.sync_runs.filter(status__in=SyncRunStatusChoices.ACTIVE_STATES).first(),
        'recent_runs': fabric.sync_runs.all()[:10],
    }


class SyncRunPanel(panels.ObjectAttributesPanel):
    fabric = attrs.RelatedObjectAttr('fabric', linkify=True)
    status = attrs.ChoiceAttr('status')
    trigger = attrs.ChoiceAttr('trigger')
    user = attrs.TextAttr('user', label=_('Requested by'))
    dry_run = attrs.BooleanAttr('dry_run', label=_('Dry run'))
    queue = attrs.TextAttr('queue')
    job_id = attrs.TextAttr('job_id', label=_('Job ID'), style='font-monospace')
    request_id = attrs.TextAttr('request_id', label=_('Request ID'), style='font-monospace', copy_button=True)
    created = attrs.DateTimeAttr('created', label=_('Queued'))
    started = attrs.DateTimeAttr('started')
    finished = attrs.DateTimeAttr('finished')
    duration = attrs.TextAttr('duration_text', label=_('Duration'))
    git_commit = attrs.TextAttr('git_commit', label=_('Git commit'), style='font-monospace')


class SyncRunCountsPanel(panels.ObjectPanel):
    """Per kind: created, updated, deleted, unchanged and in error; and why nothing was pruned, if so."""
    template_name = 'netbox_hedgehog/panels/sync_counts.html'
    title = _('Counts')

    def get_context(self, context):
        from netbox_hedgehog.kinds import KINDS
        ctx = super().get_context(context)
        counts = ctx['object'].counts or {}
        rows = [(k.kind, counts[k.kind]) for k in KINDS if k.kind in counts]
        # The projection into NetBox's inventory counts per NetBox model ("NetBox dcim.device").
        rows += sorted((kind, value) for kind, value in counts.items() if kind.startswith('NetBox '))
        return {**ctx, 'rows': rows, 'sync_actions': ('create', 'update', 'delete', 'unchanged', 'error')}


class SyncChangesPanel(panels.ObjectPanel):
    """The objects the run changed (or would change), errors first, each update with its field diff."""
    template_name = 'netbox_hedgehog/panels/sync_changes.html'
    title = _('Changes')
    limit = 500

    def get_context(self, context):
        from django.db.models import Case, IntegerField, Value, When
        ctx = super().get_context(context)
        order = Case(When(action='error', then=Value(0)), When(action='update', then=Value(1)),
                     When(action='delete', then=Value(2)), default=Value(3), output_field=IntegerField())
        changes = ctx['object'].changes.annotate(order=order).order_by('order', 'kind', 'name')
        total = changes.count()
        return {**ctx, 'changes': changes[:self.limit], 'total': total, 'limit': self.limit}


#
# GitOps drift
#

class FabricDriftPanel(panels.ObjectPanel):
    """The drifted objects of a fabric with Git settings and what differs in each (one query per kind)."""
    template_name = 'netbox_hedgehog/panels/fabric_drift.html'
    title = _('Drifted objects')
    limit = 100

    def should_render(self, context):
        return context['object'].has_git

    def get_context(self, context):
        ctx = super().get_context(context)
        fabric, user = ctx['object'], ctx['request'].user
        scope = set(fabric.git_scope)
        drifted, per_kind = [], []
        for kind_spec in KINDS:
            objects = kind_spec.model.objects.restrict(user, 'view').filter(
                fabric=fabric, drift_status__in=DriftStatusChoices.DRIFTED,
            )
            # The drift of each kind the repository manages; the other kinds are not tracked.
            if kind_spec.kind in scope:
                per_kind.append((kind_spec.label, objects.count()))
            if len(drifted) < self.limit:
                drifted += objects.order_by('name')[:self.limit - len(drifted)]
        return {**ctx, 'drifted': drifted, 'total': fabric.drift_count, 'per_kind': per_kind}


class DriftPanel(panels.ObjectPanel):
    """How the cluster's copy of the object compares with its desired state, field by field (Git fabrics only)."""
    template_name = 'netbox_hedgehog/panels/drift.html'
    title = _('Drift')

    def should_render(self, context):
        return bool(context['object'].drift_status)

    def get_context(self, context):
        ctx = super().get_context(context)
        observed = ctx['object'].observed
        return {**ctx, 'observed_yaml': yaml.safe_dump(observed, sort_keys=False) if observed else ''}


#
# Dangling references
#

class DanglingReferencesPanel(panels.ObjectPanel):
    """A warning naming each reference of the object that names no object of its fabric."""
    template_name = 'netbox_hedgehog/panels/dangling_references.html'
    title = _('Dangling references')

    def should_render(self, context):
        return bool(context['object'].dangling_references)


class FabricDanglingPanel(panels.ObjectPanel):
    """How many objects of each kind have a reference that does not resolve, each count linking to the kind's list
    filtered to them (one query per kind that has references)."""
    template_name = 'netbox_hedgehog/panels/fabric_dangling.html'
    title = _('Dangling references')

    def get_context(self, context):
        ctx = super().get_context(context)
        fabric, user = ctx['object'], ctx['request'].user
        per_kind = []
        for kind_spec in KINDS:
            if not kind_spec.references:
                continue
            count = kind_spec.model.objects.restrict(user, 'view').filter(fabric=fabric).exclude(
                dangling_references=[]).count()
            if count:
                url = reverse(f'plugins:netbox_hedgehog:{kind_spec.model_name}_list')
                query = urlencode({'fabric_id': fabric.pk, 'has_dangling_references': 'true'})
                per_kind.append((kind_spec.label, count, f'{url}?{query}'))
        return {**ctx, 'per_kind': per_kind, 'total': fabric.dangling_count}
