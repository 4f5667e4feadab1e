from django.utils.translation import gettext_lazy as _
from utilities.choices import ChoiceSet

__all__ = (
    'CablingChoices',
    'ConnectionStatusChoices',
    'ConnectionTypeChoices',
    'DriftStatusChoices',
    'ExternalTypeChoices',
    'FabricDriftStatusChoices',
    'FabricStatusChoices',
    'RedundancyTypeChoices',
    'SwitchHealthChoices',
    'SwitchRoleChoices',
    'SyncActionChoices',
    'SyncRunStatusChoices',
    'SyncStatusChoices',
    'SyncTriggerChoices',
    'VPCModeChoices',
    'WriteModeChoices',
)


class FabricStatusChoices(ChoiceSet):
    key = 'Fabric.status'

    STATUS_PLANNED = 'planned'
    STATUS_ACTIVE = 'active'
    STATUS_MAINTENANCE = 'maintenance'
    STATUS_DECOMMISSIONING = 'decommissioning'

    CHOICES = [
        (STATUS_PLANNED, _('Planned'), 'cyan'),
        (STATUS_ACTIVE, _('Active'), 'green'),
        (STATUS_MAINTENANCE, _('Maintenance'), 'orange'),
        (STATUS_DECOMMISSIONING, _('Decommissioning'), 'yellow'),
    ]


class SyncStatusChoices(ChoiceSet):
    """The Sync axis (named like Argo CD's): where a fabric's NetBox copy stands against its cluster.

    "Synced" and "out of sync" need a successful sync (DB constraint). "Out of sync": the last sync read the cluster
    but left something unapplied (objects it could not interpret, Git errors, pruning blocked), so NetBox may differ
    from the cluster; the fabric's last sync error says what. The Drift axis (Git against the cluster) is
    FabricDriftStatusChoices.
    """
    NEVER_SYNCED = 'never_synced'
    QUEUED = 'queued'
    SYNCING = 'syncing'
    SYNCED = 'synced'
    OUT_OF_SYNC = 'out_of_sync'
    FAILED = 'failed'

    CHOICES = [
        (NEVER_SYNCED, _('Never synced'), 'gray'),
        (QUEUED, _('Queued'), 'cyan'),
        (SYNCING, _('Syncing'), 'blue'),
        (SYNCED, _('Synced'), 'green'),
        (OUT_OF_SYNC, _('Out of sync'), 'orange'),
        (FAILED, _('Failed'), 'red'),
    ]

    # States that claim a completed sync (successful, or partial: "out of sync").
    SYNCED_STATES = (SYNCED, OUT_OF_SYNC)


class ConnectionStatusChoices(ChoiceSet):
    UNKNOWN = 'unknown'
    CONNECTED = 'connected'
    FAILED = 'failed'

    CHOICES = [
        (UNKNOWN, _('Unknown'), 'gray'),
        (CONNECTED, _('Connected'), 'green'),
        (FAILED, _('Failed'), 'red'),
    ]


class SwitchRoleChoices(ChoiceSet):
    SPINE = 'spine'
    SERVER_LEAF = 'server-leaf'
    BORDER_LEAF = 'border-leaf'
    MIXED_LEAF = 'mixed-leaf'
    VIRTUAL_EDGE = 'virtual-edge'

    CHOICES = [
        (SPINE, _('Spine'), 'purple'),
        (SERVER_LEAF, _('Server leaf'), 'blue'),
        (BORDER_LEAF, _('Border leaf'), 'orange'),
        (MIXED_LEAF, _('Mixed leaf'), 'teal'),
        (VIRTUAL_EDGE, _('Virtual edge'), 'gray'),
    ]


class RedundancyTypeChoices(ChoiceSet):
    ESLAG = 'eslag'
    MCLAG = 'mclag'

    CHOICES = [
        (ESLAG, 'ESLAG', 'blue'),
        (MCLAG, _('MCLAG (deprecated)'), 'gray'),
    ]


class ConnectionTypeChoices(ChoiceSet):
    """The one top-level key of a Connection's spec."""
    UNBUNDLED = 'unbundled'
    BUNDLED = 'bundled'
    ESLAG = 'eslag'
    MCLAG = 'mclag'
    MCLAG_DOMAIN = 'mclagDomain'
    FABRIC = 'fabric'
    MESH = 'mesh'
    GATEWAY = 'gateway'
    VPC_LOOPBACK = 'vpcLoopback'
    EXTERNAL = 'external'
    STATIC_EXTERNAL = 'staticExternal'

    CHOICES = [
        (UNBUNDLED, _('Unbundled'), 'blue'),
        (BUNDLED, _('Bundled'), 'indigo'),
        (ESLAG, 'ESLAG', 'purple'),
        (MCLAG, _('MCLAG (deprecated)'), 'gray'),
        (MCLAG_DOMAIN, _('MCLAG domain (deprecated)'), 'gray'),
        (FABRIC, _('Fabric'), 'green'),
        (MESH, _('Mesh'), 'teal'),
        (GATEWAY, _('Gateway'), 'cyan'),
        (VPC_LOOPBACK, _('VPC loopback'), 'yellow'),
        (EXTERNAL, _('External'), 'orange'),
        (STATIC_EXTERNAL, _('Static external'), 'red'),
    ]


class VPCModeChoices(ChoiceSet):
    """VPC mode; the API's empty string (the default) means L2VNI."""
    L2VNI = 'l2vni'
    L3VNI = 'l3vni'

    CHOICES = [
        (L2VNI, 'L2VNI', 'blue'),
        (L3VNI, 'L3VNI', 'purple'),
    ]


class ExternalTypeChoices(ChoiceSet):
    BGP = 'bgp'
    STATIC = 'static'

    CHOICES = [
        (BGP, 'BGP', 'blue'),
        (STATIC, _('Static'), 'orange'),
    ]


class SyncTriggerChoices(ChoiceSet):
    """What started a sync run."""
    SCHEDULE = 'schedule'
    MANUAL = 'manual'
    API = 'api'
    COMMAND = 'command'

    CHOICES = [
        (SCHEDULE, _('Schedule'), 'blue'),
        (MANUAL, _('Sync now (UI)'), 'purple'),
        (API, _('REST API'), 'indigo'),
        (COMMAND, _('Command line'), 'gray'),
    ]


class SyncRunStatusChoices(ChoiceSet):
    QUEUED = 'queued'
    RUNNING = 'running'
    SUCCEEDED = 'succeeded'
    PARTIAL = 'partial'
    FAILED = 'failed'

    CHOICES = [
        (QUEUED, _('Queued'), 'cyan'),
        (RUNNING, _('Running'), 'blue'),
        (SUCCEEDED, _('Succeeded'), 'green'),
        (PARTIAL, _('Partial'), 'orange'),
        (FAILED, _('Failed'), 'red'),
    ]

    ACTIVE_STATES = (QUEUED, RUNNING)
    FINISHED_STATES = (SUCCEEDED, PARTIAL, FAILED)


class SyncActionChoices(ChoiceSet):
    CREATE = 'create'
    UPDATE = 'update'
    DELETE = 'delete'
    UNCHANGED = 'unchanged'
    ERROR = 'error'

    CHOICES = [
        (CREATE, _('Create'), 'green'),
        (UPDATE, _('Update'), 'blue'),
        (DELETE, _('Delete'), 'red'),
        (UNCHANGED, _('Unchanged'), 'gray'),
        (ERROR, _('Error'), 'orange'),
    ]


class DriftStatusChoices(ChoiceSet):
    """How one object of a fabric with Git settings compares: desired state (Git or NetBox) against the cluster."""
    IN_SYNC = 'in_sync'
    DIFFERS = 'differs'
    MISSING_FROM_CLUSTER = 'missing_from_cluster'
    NOT_IN_GIT = 'not_in_git'

    CHOICES = [
        (IN_SYNC, _('In sync'), 'green'),
        (DIFFERS, _('Differs'), 'orange'),
        (MISSING_FROM_CLUSTER, _('Missing from cluster'), 'red'),
        (NOT_IN_GIT, _('Not in Git'), 'purple'),
    ]

    # Every state that counts as drift.
    DRIFTED = (DIFFERS, MISSING_FROM_CLUSTER, NOT_IN_GIT)


class FabricDriftStatusChoices(ChoiceSet):
    """The Drift axis (named like Argo CD's): Git against the cluster, derived from the fabric's Git settings and
    its drift count. The Sync axis (NetBox against the cluster) is SyncStatusChoices."""
    NOT_TRACKED = 'not_tracked'
    IN_SYNC = 'in_sync'
    DRIFTED = 'drifted'

    CHOICES = [
        (NOT_TRACKED, _('Not tracked'), 'gray'),
        (IN_SYNC, _('In sync'), 'green'),
        (DRIFTED, _('Drifted'), 'orange'),
    ]


class SwitchHealthChoices(ChoiceSet):
    """A switch's health from its agent's report (see the README's health rules)."""
    HEALTHY = 'healthy'
    APPLYING = 'applying'
    STALE = 'stale'
    NO_AGENT = 'no_agent'

    CHOICES = [
        (HEALTHY, _('Healthy'), 'green'),
        (APPLYING, _('Applying'), 'blue'),
        (STALE, _('Stale'), 'orange'),
        (NO_AGENT, _('No agent'), 'gray'),
    ]


class CablingChoices(ChoiceSet):
    """The LLDP cabling check of one switch port: what the Connection expects against what LLDP sees."""
    VERIFIED = 'verified'
    MISMATCH = 'mismatch'
    NO_NEIGHBOUR = 'no_neighbour'
    UNKNOWN = 'unknown'
    EXTERNAL = 'external'
    UNPLANNED = 'unplanned'

    CHOICES = [
        (VERIFIED, _('Verified'), 'green'),
        (MISMATCH, _('Mismatch'), 'red'),
        (NO_NEIGHBOUR, _('No neighbour'), 'orange'),
        (UNKNOWN, _('Unknown'), 'gray'),
        (EXTERNAL, _('External (not checked)'), 'cyan'),
        (UNPLANNED, _('Unplanned neighbour'), 'purple'),
    ]


class WriteModeChoices(ChoiceSet):
    """How NetBox may change a fabric's objects."""
    READ_ONLY = 'read-only'
    CLUSTER = 'cluster'
    GIT = 'git'

    CHOICES = [
        (READ_ONLY, _('Read-only'), 'gray'),
        (CLUSTER, _('Apply to cluster'), 'blue'),
        (GIT, _('Commit to Git'), 'purple'),
    ]
