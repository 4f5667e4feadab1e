from dcim.api.serializers import SiteSerializer
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from netbox.api.fields import ChoiceField
from netbox.api.serializers import BaseModelSerializer, NetBoxModelSerializer, PrimaryModelSerializer
from rest_framework import serializers
from tenancy.api.serializers import TenantSerializer
from users.api.serializers_.users import UserSerializer

from netbox_hedgehog.choices import (
    CablingChoices,
    ConnectionStatusChoices,
    ConnectionTypeChoices,
    DriftStatusChoices,
    ExternalTypeChoices,
    FabricDriftStatusChoices,
    FabricStatusChoices,
    SwitchHealthChoices,
    SwitchRoleChoices,
    SyncActionChoices,
    SyncRunStatusChoices,
    SyncStatusChoices,
    SyncTriggerChoices,
    VPCModeChoices,
    WriteModeChoices,
)
from netbox_hedgehog.live.health import health, live_state_of
from netbox_hedgehog.models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    ExternalPeering,
    Fabric,
    Gateway,
    GatewayGroup,
    GatewayPeering,
    IPv4Namespace,
    LinkCheck,
    Server,
    Switch,
    SwitchGroup,
    SwitchLiveState,
    SwitchProfile,
    SyncChange,
    SyncRun,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)

__all__ = (
    'ConnectionSerializer',
    'ExternalAttachmentSerializer',
    'ExternalPeeringSerializer',
    'ExternalSerializer',
    'FabricSerializer',
    'GatewayGroupSerializer',
    'GatewayPeeringSerializer',
    'GatewaySerializer',
    'IPv4NamespaceSerializer',
    'ServerSerializer',
    'SwitchGroupSerializer',
    'SwitchProfileSerializer',
    'SwitchSerializer',
    'SyncChangeSerializer',
    'SyncRequestSerializer',
    'SyncRunSerializer',
    'VLANNamespaceSerializer',
    'VPCAttachmentSerializer',
    'VPCPeeringSerializer',
    'VPCSerializer',
)


def credential_field(label):
    """A write-only credential: accepted on create/update (an empty string clears it), never rendered."""
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False, label=label,
        style={'input_type': 'password'},
    )


class FabricSerializer(PrimaryModelSerializer):
    status = ChoiceField(choices=FabricStatusChoices, required=False)
    write_mode = ChoiceField(
        choices=WriteModeChoices, required=False,
        help_text=_('read-only, cluster or git; when left out of a new fabric: git with a Git URL, else read-only'),
    )
    sync_status = ChoiceField(choices=SyncStatusChoices, read_only=True)
    connection_status = ChoiceField(choices=ConnectionStatusChoices, read_only=True)
    drift_status = ChoiceField(choices=FabricDriftStatusChoices, read_only=True)

    # Credentials go in through the model properties (which encrypt) and never come out; only whether each one is
    # stored is shown.
    kubeconfig = credential_field(_('kubeconfig'))
    kubernetes_token = credential_field(_('Kubernetes token'))
    git_token = credential_field(_('Git token'))
    git_ssh_key = credential_field(_('Git SSH key'))
    kubeconfig_set = serializers.BooleanField(source='has_kubeconfig', read_only=True)
    kubernetes_token_set = serializers.BooleanField(source='has_kubernetes_token', read_only=True)
    git_token_set = serializers.BooleanField(source='has_git_token', read_only=True)
    git_ssh_key_set = serializers.BooleanField(source='has_git_ssh_key', read_only=True)
    credentials_dropped = serializers.SerializerMethodField(
        help_text=_('Stored credentials this request removed because it changed where they are sent (the API '
                    'server or the Git URL\'s scheme, host or port) without supplying them anew'),
    )
    git_compare_url = serializers.CharField(
        read_only=True, help_text=_('The hosting service\'s page comparing the review branch with the tracked branch '
                                    '(GitHub, GitLab and Gitea; empty otherwise)'),
    )
    inventory_site = SiteSerializer(nested=True, required=False, allow_null=True)
    inventory_tenant = TenantSerializer(nested=True, required=False, allow_null=True)

    class Meta:
        model = Fabric
        fields = (
            'id', 'url', 'display_url', 'display', 'name', 'status', 'write_mode', 'description',
            'kubernetes_server', 'kubernetes_namespace', 'kubernetes_ca_cert', 'verify_tls',
            'kubeconfig', 'kubeconfig_set', 'kubernetes_token', 'kubernetes_token_set',
            'git_url', 'git_branch', 'git_write_branch', 'git_review_waiting', 'git_review_deletions',
            'git_compare_url', 'git_path', 'git_kinds', 'git_kinds_found', 'git_author_name', 'git_author_email',
            'git_token', 'git_token_set', 'git_ssh_key', 'git_ssh_key_set', 'credentials_dropped', 'git_commit',
            'drift_status', 'drift_count', 'dangling_count', 'fabric_settings', 'fabric_settings_source',
            'sync_enabled', 'sync_interval', 'allow_empty_kinds', 'sync_status', 'last_sync', 'last_sync_attempt',
            'last_sync_error', 'failure_count', 'next_sync_due', 'connection_status', 'connection_message',
            'cluster_delete_failures', 'inventory_site', 'inventory_tenant', 'owner', 'comments', 'tags',
            'custom_fields', 'created', 'last_updated',
        )
        brief_fields = ('id', 'url', 'display', 'name', 'description')

    def get_credentials_dropped(self, obj) -> list[str]:
        return self.context.get('credentials_dropped', {}).get(obj.pk, [])


#
# Hedgehog resources
#

RESOURCE_BRIEF_FIELDS = ('id', 'url', 'display', 'fabric', 'name')


def resource_fields(*typed_fields):
    """The field list of a kind's serializer: identity, the kind's typed columns, then spec and metadata."""
    return (
        'id', 'url', 'display_url', 'display', 'fabric', 'name', 'kind', 'api_version', *typed_fields,
        'spec', 'labels', 'annotations', 'uid', 'resource_version', 'generation', 'creation_timestamp',
        'dangling_references', 'drift_status', 'drift_diff', 'observed', 'git_file', 'git_digest', 'git_pending_since',
        'git_review_branch', 'apply_pending_since', 'apply_error', 'tags', 'custom_fields', 'created', 'last_updated',
    )


class HedgehogResourceSerializer(NetBoxModelSerializer):
    """Common fields of every kind. The typed columns, the Kubernetes identity and the GitOps state are model fields
    with editable=False, hence read-only: only fabric, name, spec, labels and annotations are written."""
    fabric = FabricSerializer(nested=True)
    kind = serializers.CharField(read_only=True)
    api_version = serializers.CharField(source='kind_spec.api_version', read_only=True)
    drift_status = ChoiceField(choices=DriftStatusChoices, read_only=True)


class VLANNamespaceSerializer(HedgehogResourceSerializer):
    class Meta:
        model = VLANNamespace
        fields = resource_fields('ranges')
        brief_fields = RESOURCE_BRIEF_FIELDS


class SwitchGroupSerializer(HedgehogResourceSerializer):
    class Meta:
        model = SwitchGroup
        fields = resource_fields()
        brief_fields = RESOURCE_BRIEF_FIELDS


class SwitchProfileSerializer(HedgehogResourceSerializer):
    class Meta:
        model = SwitchProfile
        fields = resource_fields('display_name', 'switch_silicon', 'nos_type', 'platform', 'port_count')
        brief_fields = RESOURCE_BRIEF_FIELDS


class SwitchLiveStateSerializer(serializers.ModelSerializer):
    """What the switch's agent reported when the fabric was last synced."""

    class Meta:
        model = SwitchLiveState
        exclude = ('id', 'switch', 'fabric', 'digest')


class HealthSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=SwitchHealthChoices, read_only=True)
    label = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)


class SwitchSerializer(HedgehogResourceSerializer):
    role = ChoiceField(choices=SwitchRoleChoices, read_only=True)
    health = serializers.SerializerMethodField()
    live_state = SwitchLiveStateSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Switch
        fields = resource_fields(
            'role', 'description', 'profile', 'groups', 'redundancy_group', 'redundancy_type', 'vlan_namespaces',
            'asn', 'ip', 'protocol_ip', 'vtep_ip', 'boot_serial', 'boot_mac', 'breakouts', 'health', 'live_state',
        )
        brief_fields = RESOURCE_BRIEF_FIELDS

    @extend_schema_field(HealthSerializer)
    def get_health(self, obj):
        value, reason = health(live_state_of(obj))
        return {'value': value, 'label': dict(SwitchHealthChoices)[value], 'reason': reason}


class ServerSerializer(HedgehogResourceSerializer):
    class Meta:
        model = Server
        fields = resource_fields('description', 'profile')
        brief_fields = RESOURCE_BRIEF_FIELDS


class LinkCheckSerializer(serializers.ModelSerializer):
    """The LLDP cabling check of one switch port of the connection."""
    switch = serializers.CharField(source='switch.name', read_only=True)
    status = ChoiceField(choices=CablingChoices, read_only=True)

    class Meta:
        model = LinkCheck
        fields = ('switch', 'port', 'expected', 'seen', 'oper', 'status')


class ConnectionSerializer(HedgehogResourceSerializer):
    connection_type = ChoiceField(choices=ConnectionTypeChoices, read_only=True)
    cabling = LinkCheckSerializer(source='link_checks', many=True, read_only=True)

    class Meta:
        model = Connection
        fields = resource_fields(
            'connection_type', 'switches', 'servers', 'gateways', 'ports', 'endpoints', 'link_count', 'vpc',
            'cabling',
        )
        brief_fields = RESOURCE_BRIEF_FIELDS


class IPv4NamespaceSerializer(HedgehogResourceSerializer):
    class Meta:
        model = IPv4Namespace
        fields = resource_fields('subnets')
        brief_fields = RESOURCE_BRIEF_FIELDS


class VPCSerializer(HedgehogResourceSerializer):
    mode = ChoiceField(choices=VPCModeChoices, read_only=True)

    class Meta:
        model = VPC
        fields = resource_fields('mode', 'ipv4_namespace', 'vlan_namespace', 'subnet_names', 'subnets', 'vlans')
        brief_fields = RESOURCE_BRIEF_FIELDS


class VPCAttachmentSerializer(HedgehogResourceSerializer):
    class Meta:
        model = VPCAttachment
        fields = resource_fields('vpc', 'subnet', 'connection', 'native_vlan')
        brief_fields = RESOURCE_BRIEF_FIELDS


class VPCPeeringSerializer(HedgehogResourceSerializer):
    class Meta:
        model = VPCPeering
        fields = resource_fields('vpcs')
        brief_fields = RESOURCE_BRIEF_FIELDS


class ExternalSerializer(HedgehogResourceSerializer):
    external_type = ChoiceField(choices=ExternalTypeChoices, read_only=True)

    class Meta:
        model = External
        fields = resource_fields(
            'external_type', 'ipv4_namespace', 'inbound_community', 'outbound_community', 'static_prefixes',
        )
        brief_fields = RESOURCE_BRIEF_FIELDS


class ExternalAttachmentSerializer(HedgehogResourceSerializer):
    external_type = ChoiceField(choices=ExternalTypeChoices, read_only=True)

    class Meta:
        model = ExternalAttachment
        fields = resource_fields(
            'external_type', 'external', 'connection', 'vlan', 'switch_ip', 'neighbor_asn', 'neighbor_ip',
        )
        brief_fields = RESOURCE_BRIEF_FIELDS


class ExternalPeeringSerializer(HedgehogResourceSerializer):
    class Meta:
        model = ExternalPeering
        fields = resource_fields('vpc', 'vpc_subnets', 'external', 'prefixes')
        brief_fields = RESOURCE_BRIEF_FIELDS


class GatewayGroupSerializer(HedgehogResourceSerializer):
    class Meta:
        model = GatewayGroup
        fields = resource_fields()
        brief_fields = RESOURCE_BRIEF_FIELDS


class GatewaySerializer(HedgehogResourceSerializer):
    class Meta:
        model = Gateway
        fields = resource_fields('asn', 'protocol_ip', 'vtep_ip', 'workers', 'interfaces', 'groups')
        brief_fields = RESOURCE_BRIEF_FIELDS


class GatewayPeeringSerializer(HedgehogResourceSerializer):
    class Meta:
        model = GatewayPeering
        fields = resource_fields('gateway_group', 'vpcs', 'prefixes')
        brief_fields = RESOURCE_BRIEF_FIELDS


#
# Sync history and sync actions
#

class SyncRunSerializer(BaseModelSerializer):
    fabric = FabricSerializer(nested=True, read_only=True)
    user = UserSerializer(nested=True, read_only=True)
    trigger = ChoiceField(choices=SyncTriggerChoices, read_only=True)
    status = ChoiceField(choices=SyncRunStatusChoices, read_only=True)
    duration = serializers.SerializerMethodField(read_only=True)

    class Meta:
        model = SyncRun
        fields = (
            'id', 'url', 'display_url', 'display', 'fabric', 'request_id', 'trigger', 'user', 'dry_run', 'queue',
            'job_id', 'status', 'created', 'started', 'finished', 'duration', 'counts', 'pruned',
            'prune_skipped_reason', 'error', 'log', 'git_commit',
        )
        brief_fields = ('id', 'url', 'display', 'status', 'created', 'finished')

    def get_duration(self, obj) -> float | None:
        """Seconds from start to end of the run."""
        return obj.duration.total_seconds() if obj.duration is not None else None


class SyncChangeSerializer(BaseModelSerializer):
    run = SyncRunSerializer(nested=True, read_only=True)
    action = ChoiceField(choices=SyncActionChoices, read_only=True)

    class Meta:
        model = SyncChange
        fields = ('id', 'url', 'display', 'run', 'kind', 'name', 'action', 'object_id', 'diff', 'message')
        brief_fields = ('id', 'url', 'display', 'kind', 'name', 'action')


class SyncRequestSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)
