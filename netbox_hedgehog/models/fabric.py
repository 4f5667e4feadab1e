from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.context import current_request
from netbox.models import PrimaryModel

from netbox_hedgehog import (
    MIN_TIMING_SETTING,
    crypto,
    destinations,
    get_setting,
    git_refs,
    k8s_names,
    kubeconfig,
)
from netbox_hedgehog.choices import (
    ConnectionStatusChoices,
    FabricDriftStatusChoices,
    FabricStatusChoices,
    SyncStatusChoices,
    WriteModeChoices,
)
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.validation.config import fabric_config

__all__ = (
    'CREDENTIAL_FIELDS',
    'Fabric',
    'default_write_mode',
    'reveal_credential',
)

# Write-only credentials: property name -> (stored ciphertext field, human name for messages).
CREDENTIAL_FIELDS = {
    'kubeconfig': ('kubeconfig_encrypted', 'kubeconfig'),
    'kubernetes_token': ('kubernetes_token_encrypted', 'Kubernetes token'),
    'git_token': ('git_token_encrypted', 'Git token'),
    'git_ssh_key': ('git_ssh_key_encrypted', 'Git SSH key'),
}


# Which credentials go to which destination: a change of the destination drops them (see Fabric.save()).
KUBERNETES_CREDENTIALS = ('kubeconfig', 'kubernetes_token')
GIT_CREDENTIALS = ('git_token', 'git_ssh_key')
# The fields a destination is computed from.
_DESTINATION_FIELDS = ('kubernetes_server', 'kubeconfig_encrypted', 'git_url')


def _credential_property(name):
    """A write-only attribute: setting it stores the value encrypted; reading it gives "" (templates, export
    templates and custom links included). Only `reveal_credential()` decrypts."""
    stored, human = CREDENTIAL_FIELDS[name]

    def getter(self):
        return ''

    def setter(self, value):
        setattr(self, stored, crypto.encrypt(value or ''))
        if value:
            self.__dict__.setdefault('_credentials_supplied', set()).add(name)

    return property(getter, setter, doc=f'Write-only: set the {human} (reading it gives an empty string).')


def reveal_credential(fabric, name):
    """The plaintext of one stored credential of `fabric`, for the code that sends it (cluster and Git clients)."""
    stored, human = CREDENTIAL_FIELDS[name]
    return crypto.decrypt(getattr(fabric, stored), human)


def _kubernetes_destination(server, kubeconfig_encrypted):
    """(scheme, host, port) where the Kubernetes credentials of a fabric go."""
    if server:
        return destinations.origin(server)
    if not kubeconfig_encrypted:
        return None
    try:
        return destinations.origin(kubeconfig.server_url(kubeconfig.parse(crypto.decrypt(kubeconfig_encrypted))))
    except (crypto.CredentialError, kubeconfig.KubeconfigError):
        return None


def default_write_mode(git_url):
    """A fabric with Git settings takes edits as commits; one without mirrors its cluster read-only."""
    return WriteModeChoices.GIT if git_url else WriteModeChoices.READ_ONLY


# Sent by Fabric.delete() inside its transaction, before the fabric's row goes, with `fabric`. The receiver
# (signal_receivers.py) removes the fabric's objects and sync history in bulk, in step with a running sync, and returns
# a note saying how that sync was handled. A signal keeps the model free of imports of the sync engine.
fabric_deleting = Signal()


class Fabric(PrimaryModel):
    """A Hedgehog fabric: one Kubernetes control plane (and optionally one GitOps repository)."""
    name = models.CharField(verbose_name=_('name'), max_length=100, unique=True)
    status = models.CharField(
        verbose_name=_('status'), max_length=30, choices=FabricStatusChoices, default=FabricStatusChoices.STATUS_ACTIVE
    )

    # Cluster connection
    kubernetes_server = models.CharField(
        verbose_name=_('Kubernetes API server'), max_length=500, blank=True,
        help_text=_('https://host:port; may be left empty when the kubeconfig names the server'),
    )
    kubernetes_namespace = models.CharField(
        verbose_name=_('namespace'), max_length=63, default='default',
        help_text=_('Namespace holding the fabric objects (Hedgehog uses "default")'),
    )
    kubeconfig_encrypted = models.TextField(blank=True, editable=False)
    kubernetes_token_encrypted = models.TextField(blank=True, editable=False)
    kubernetes_ca_cert = models.TextField(
        verbose_name=_('CA bundle'), blank=True,
        help_text=_('PEM CA certificate(s) of the API server, used with the bearer token'),
    )
    verify_tls = models.BooleanField(
        verbose_name=_('verify TLS'), default=True,
        help_text=_('Verify the API server certificate. Switch off only for a lab with a throw-away certificate.'),
    )

    write_mode = models.CharField(
        verbose_name=_('write mode'), max_length=30, choices=WriteModeChoices, default=WriteModeChoices.READ_ONLY,
        help_text=_('Read-only: the cluster is the source and NetBox refuses edits of its objects. Apply to cluster: '
                    'edits are applied to the Kubernetes API by a job. Commit to Git: edits are committed to the '
                    'repository. Default: Git when a repository is set, otherwise read-only.'),
    )

    # GitOps
    git_url = models.CharField(
        verbose_name=_('Git repository URL'), max_length=500, blank=True,
        help_text=_('https://, ssh:// or file:// URL, without credentials'),
    )
    git_branch = models.CharField(verbose_name=_('Git branch'), max_length=200, default='main')
    git_write_branch = models.CharField(
        verbose_name=_('review branch'), max_length=200, blank=True,
        help_text=_('Branch NetBox commits its edits to, for people to review and merge into the tracked branch '
                    '(created from the tracked branch when missing). Empty: edits are committed to the tracked '
                    'branch. Drift is always read from the tracked branch.'),
    )
    git_review_waiting = models.PositiveIntegerField(
        verbose_name=_('changes waiting for review'), default=0, editable=False,
        help_text=_('Commits on the review branch that are not on the tracked branch, as of the last read of or '
                    'write to the repository'),
    )
    git_review_deletions = ArrayField(
        models.CharField(max_length=320), verbose_name=_('deletions waiting for review'), default=list, blank=True,
        editable=False, help_text=_('Objects (kind/name) deleted in NetBox whose deletion waits on the review branch; '
                                    'the sync does not bring them back from the tracked branch meanwhile'),
    )
    git_path = models.CharField(
        verbose_name=_('Git path'), max_length=500, blank=True,
        help_text=_('Directory inside the repository holding the fabric YAML (empty: the whole repository)'),
    )
    git_kinds = ArrayField(
        models.CharField(max_length=50), verbose_name=_('kinds in Git'), default=list, blank=True,
        help_text=_('The kinds the repository manages (empty: the kinds found in it at the last read). Objects of '
                    'other kinds are not tracked: their source is the cluster, they never count as drift, and they '
                    'are read-only in NetBox.'),
    )
    git_kinds_found = ArrayField(
        models.CharField(max_length=50), verbose_name=_('kinds found in Git'), default=list, blank=True,
        editable=False, help_text=_('The kinds the repository held at the last read'),
    )
    git_token_encrypted = models.TextField(blank=True, editable=False)
    git_ssh_key_encrypted = models.TextField(blank=True, editable=False)
    git_author_name = models.CharField(verbose_name=_('commit author name'), max_length=200, default='NetBox Hedgehog')
    git_author_email = models.CharField(
        verbose_name=_('commit author email'), max_length=254, default='netbox-hedgehog@localhost'
    )
    git_commit = models.CharField(
        verbose_name=_('Git commit'), max_length=64, blank=True, editable=False,
        help_text=_('The commit whose desired state NetBox holds (empty until a sync has read the repository, and '
                    'after a write to Git failed: the next sync then reads the repository again in full)'),
    )
    drift_count = models.PositiveIntegerField(
        verbose_name=_('drifted objects'), default=0, editable=False,
        help_text=_('Objects whose desired state and cluster state differ, as of the last sync or edit'),
    )
    dangling_count = models.PositiveIntegerField(
        verbose_name=_('objects with dangling references'), default=0, editable=False,
        help_text=_('Objects with a reference naming no object of the fabric, as of the last sync or edit'),
    )
    fabric_settings = models.JSONField(
        verbose_name=_('fabric settings'), default=dict, blank=True, editable=False,
        help_text=_('The fabric controller\'s settings the admission rules use (reserved subnets and VLANs, fabric '
                    'mode, subnets, ASN ranges, MTU), as the last sync read them from the cluster; empty: unknown, '
                    'and the rules that need them are not applied'),
    )
    fabric_settings_source = models.CharField(
        verbose_name=_('fabric settings source'), max_length=500, blank=True, editable=False,
        help_text=_('Where the fabric settings were read, or why none are known'),
    )
    live_check_digest = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text=_('Digest of what the stored cabling check was computed from (connections, switches, profiles, '
                    'reported port states and LLDP neighbours): a sync recomputes the check only when it differs'),
    )
    inventory_digest = models.JSONField(
        default=dict, blank=True, editable=False,
        help_text=_('Digests of what the inventory projection was last planned from and of the NetBox rows it left, '
                    'with its objects per model: a sync plans the projection again only when either differs'),
    )

    # Sync settings
    sync_enabled = models.BooleanField(verbose_name=_('scheduled sync'), default=False)
    sync_interval = models.PositiveIntegerField(
        verbose_name=_('sync interval'), default=300, validators=[MinValueValidator(MIN_TIMING_SETTING)],
        help_text=_('Seconds between two scheduled syncs'),
    )

    allow_empty_kinds = models.BooleanField(
        verbose_name=_('allow empty kinds'), default=False,
        help_text=_('Prune a kind even when the cluster returns none of it while NetBox still has some. Off by '
                    'default: an empty answer is more often a broken read than a fabric emptied on purpose.'),
    )

    # NetBox inventory (dcim/ipam) projection
    inventory_site = models.ForeignKey(
        to='dcim.Site', on_delete=models.PROTECT, related_name='+', blank=True, null=True,
        verbose_name=_('inventory site'),
        help_text=_('Show the fabric in NetBox\'s own inventory (devices, interfaces, cables, IP addresses, VRFs, '
                    'prefixes, VLANs) at this site; empty: no projection'),
    )
    inventory_tenant = models.ForeignKey(
        to='tenancy.Tenant', on_delete=models.PROTECT, related_name='+', blank=True, null=True,
        verbose_name=_('inventory tenant'),
        help_text=_('Tenant of the devices, VRFs, prefixes and VLANs the projection creates'),
    )

    # Sync state (written by the sync machinery only)
    sync_status = models.CharField(
        verbose_name=_('sync status'), max_length=30, choices=SyncStatusChoices,
        default=SyncStatusChoices.NEVER_SYNCED, editable=False,
    )
    last_sync = models.DateTimeField(verbose_name=_('last successful sync'), null=True, blank=True, editable=False)
    last_sync_attempt = models.DateTimeField(verbose_name=_('last sync attempt'), null=True, blank=True,
                                             editable=False)
    last_sync_error = models.TextField(verbose_name=_('last sync error'), blank=True, editable=False)
    connection_status = models.CharField(
        verbose_name=_('connection status'), max_length=30, choices=ConnectionStatusChoices,
        default=ConnectionStatusChoices.UNKNOWN, editable=False,
    )
    connection_message = models.TextField(verbose_name=_('connection message'), blank=True, editable=False)
    failure_count = models.PositiveIntegerField(
        verbose_name=_('consecutive failures'), default=0, editable=False,
    )
    next_sync_due = models.DateTimeField(
        verbose_name=_('next scheduled sync'), null=True, blank=True, editable=False,
        help_text=_('When the schedule next syncs this fabric (later after repeated failures: exponential backoff)'),
    )
    # The latest deletions NetBox could not apply to the cluster (write mode "cluster"): the object is gone from NetBox
    # but stays in the cluster, so the fabric page says so with the API server's message. Newest first, at most
    # sync.apply_cluster.CLUSTER_DELETE_FAILURES_KEPT; each {'at', 'kind', 'name', 'message'}.
    cluster_delete_failures = models.JSONField(
        verbose_name=_('failed cluster deletions'), default=list, blank=True, editable=False,
    )

    kubeconfig = _credential_property('kubeconfig')
    kubernetes_token = _credential_property('kubernetes_token')
    git_token = _credential_property('git_token')
    git_ssh_key = _credential_property('git_ssh_key')

    clone_fields = (
        'status', 'write_mode', 'kubernetes_namespace', 'verify_tls', 'git_branch', 'git_write_branch', 'sync_enabled',
        'sync_interval',
    )

    class Meta:
        ordering = ('name',)
        verbose_name = _('fabric')
        verbose_name_plural = _('fabrics')
        permissions = (
            ('sync_fabric', 'Can trigger a sync of a fabric'),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(sync_status__in=SyncStatusChoices.values()),
                name='netbox_hedgehog_fabric_sync_status_valid',
                violation_error_message=_('Unknown sync status.'),
            ),
            models.CheckConstraint(
                condition=~Q(sync_status__in=SyncStatusChoices.SYNCED_STATES) | Q(last_sync__isnull=False),
                name='netbox_hedgehog_fabric_synced_has_last_sync',
                violation_error_message=_('A fabric cannot be "synced" or "out of sync" without a last sync time.'),
            ),
            models.CheckConstraint(
                condition=~Q(sync_status=SyncStatusChoices.NEVER_SYNCED) | Q(last_sync__isnull=True),
                name='netbox_hedgehog_fabric_never_synced_has_no_last_sync',
                violation_error_message=_('A fabric that was never synced cannot have a last sync time.'),
            ),
            models.CheckConstraint(
                condition=Q(connection_status__in=ConnectionStatusChoices.values()),
                name='netbox_hedgehog_fabric_connection_status_valid',
                violation_error_message=_('Unknown connection status.'),
            ),
            models.CheckConstraint(
                condition=Q(status__in=FabricStatusChoices.values()),
                name='netbox_hedgehog_fabric_status_valid',
                violation_error_message=_('Unknown fabric status.'),
            ),
            models.CheckConstraint(
                condition=Q(write_mode__in=WriteModeChoices.values()),
                name='netbox_hedgehog_fabric_write_mode_valid',
                violation_error_message=_('Unknown write mode.'),
            ),
            models.CheckConstraint(
                condition=Q(sync_interval__gte=MIN_TIMING_SETTING),
                name='netbox_hedgehog_fabric_sync_interval_min',
                violation_error_message=_('The sync interval is too short.'),
            ),
        )

    def __init__(self, *args, **kwargs):
        # A new fabric (built from keyword arguments, not loaded from the database) without a write mode of its own
        # takes the default its Git settings give.
        if not args and 'write_mode' not in kwargs:
            kwargs['write_mode'] = default_write_mode(kwargs.get('git_url'))
        super().__init__(*args, **kwargs)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse('plugins:netbox_hedgehog:fabric', args=[self.pk])

    def get_write_mode_color(self):
        return WriteModeChoices.colors.get(self.write_mode)

    def get_status_color(self):
        return FabricStatusChoices.colors.get(self.status)

    def get_sync_status_color(self):
        return SyncStatusChoices.colors.get(self.sync_status)

    def get_connection_status_color(self):
        return ConnectionStatusChoices.colors.get(self.connection_status)

    # Whether each credential is stored: the only thing about a credential NetBox ever shows.
    @property
    def has_kubeconfig(self):
        return bool(self.kubeconfig_encrypted)

    @property
    def has_kubernetes_token(self):
        return bool(self.kubernetes_token_encrypted)

    @property
    def has_git_token(self):
        return bool(self.git_token_encrypted)

    @property
    def has_git_ssh_key(self):
        return bool(self.git_ssh_key_encrypted)

    @property
    def has_git(self):
        return bool(self.git_url)

    @property
    def admission_config(self):
        """The fabric settings as the admission rules take them (a setting not known: the rules needing it are not
        applied)."""
        return fabric_config(self.fabric_settings)

    @property
    def git_scope(self):
        """The kinds the repository manages: those given, else those found in it at the last read."""
        return list(self.git_kinds or self.git_kinds_found)

    @property
    def git_scope_text(self):
        """The scope for people: the kinds, and whether they were given or found."""
        if self.git_kinds:
            return ', '.join(self.git_kinds)
        if self.git_kinds_found:
            return _('{kinds} (found in the repository)').format(kinds=', '.join(self.git_kinds_found))
        return ''

    @property
    def drift_status(self):
        """Not tracked without Git settings; otherwise in sync or drifted by the drift count."""
        if not self.has_git:
            return FabricDriftStatusChoices.NOT_TRACKED
        return FabricDriftStatusChoices.DRIFTED if self.drift_count else FabricDriftStatusChoices.IN_SYNC

    @staticmethod
    def drift_status_q(values, prefix=''):
        """The fabrics (under the lookup `prefix`) whose drift_status, derived as above, is one of `values`."""
        untracked, drifted = Q(**{f'{prefix}git_url': ''}), Q(**{f'{prefix}drift_count__gt': 0})
        by_status = {
            FabricDriftStatusChoices.NOT_TRACKED: untracked,
            FabricDriftStatusChoices.IN_SYNC: ~untracked & ~drifted,
            FabricDriftStatusChoices.DRIFTED: ~untracked & drifted,
        }
        q = Q(pk__in=[])
        for value in values:
            q |= by_status[value]
        return q

    @property
    def git_compare_url(self):
        """The hosting service's page comparing the review branch with the tracked branch ('' when the host is not
        GitHub, GitLab or Gitea, or without a review branch)."""
        if not self.git_write_branch:
            return ''
        return git_refs.compare_url(self.git_url, self.git_branch, self.git_write_branch)

    @property
    def git_review_text(self):
        """How many changes wait on the review branch, for people."""
        if not self.git_write_branch:
            return ''
        return _('{count} change(s) waiting for review on {branch}').format(count=self.git_review_waiting,
                                                                            branch=self.git_write_branch)

    @property
    def git_review_deletions_text(self):
        return ', '.join(key.replace('/', ' ', 1) for key in self.git_review_deletions)

    def get_drift_status_display(self):
        return dict(FabricDriftStatusChoices)[self.drift_status]

    def get_drift_status_color(self):
        return FabricDriftStatusChoices.colors.get(self.drift_status)

    def clean(self):
        super().clean()
        minimum = get_setting('min_sync_interval')
        if self.sync_interval is not None and self.sync_interval < minimum:
            raise ValidationError({
                'sync_interval': _('The sync interval must be at least {minimum} seconds.').format(minimum=minimum)
            })
        errors = {}
        if problem := k8s_names.namespace_problem(self.kubernetes_namespace):
            errors['kubernetes_namespace'] = problem
        if self.kubernetes_server and (problem := destinations.api_server_problem(self.kubernetes_server)):
            errors['kubernetes_server'] = problem
        if self.git_url and (problem := destinations.git_url_problem(self.git_url)):
            errors['git_url'] = problem
        if self.git_write_branch and (problem := git_refs.branch_problem(self.git_write_branch)):
            errors['git_write_branch'] = problem
        elif self.git_write_branch and self.git_write_branch == self.git_branch:
            errors['git_write_branch'] = _('The review branch must differ from the tracked branch ({branch}); leave '
                                           'it empty to commit to the tracked branch.').format(branch=self.git_branch)
        if '..' in self.git_path.split('/') or self.git_path.startswith('-'):
            errors['git_path'] = _('Enter a directory inside the repository (no ".." and no leading "-").')
        if self.has_kubernetes_token and not (self.kubernetes_server or self.has_kubeconfig):
            errors.setdefault('kubernetes_server', _('A bearer token needs the API server URL (or use a kubeconfig).'))
        if self.has_kubeconfig and 'kubeconfig' in self.__dict__.get('_credentials_supplied', ()):
            errors.update(self._kubeconfig_errors())
        if unknown := [kind for kind in self.git_kinds if kind not in KIND_BY_NAME]:
            errors['git_kinds'] = _('Unknown kind(s): {kinds}.').format(kinds=', '.join(unknown))
        if self.write_mode == WriteModeChoices.GIT and not self.git_url:
            errors['write_mode'] = _('Committing to Git needs a Git repository URL.')
        if problem := self._sync_permission_problem():
            errors['sync_enabled'] = problem
        if errors:
            raise ValidationError(errors)

    def _kubeconfig_errors(self):
        try:
            data = kubeconfig.parse(reveal_credential(self, 'kubeconfig'))
        except kubeconfig.KubeconfigError as e:
            return {'kubeconfig': str(e)}
        if not self.kubernetes_server and (problem := destinations.api_server_problem(kubeconfig.server_url(data))):
            return {'kubeconfig': _('The kubeconfig\'s server: {problem}').format(problem=problem)}
        return {}

    def _sync_permission_problem(self):
        """Turning scheduled sync on in a web or REST request needs the permission to sync this fabric."""
        request = current_request.get()
        if request is None or not self.sync_enabled:
            return None
        if self.pk and type(self).objects.filter(pk=self.pk, sync_enabled=True).exists():
            return None
        if request.user.has_perm('netbox_hedgehog.sync_fabric', self if self.pk else None):
            return None
        return _('Turning on scheduled sync needs the permission to sync fabrics (netbox_hedgehog.sync_fabric).')

    def _destination_changes(self):
        """The credential groups whose destination differs from the one stored in the database."""
        if self.pk is None or self._state.adding:
            return ()
        loaded = type(self).objects.filter(pk=self.pk).values(*_DESTINATION_FIELDS).first() or {}
        changed = []
        kubernetes_before = (loaded.get('kubernetes_server'), loaded.get('kubeconfig_encrypted'))
        kubernetes_now = (self.kubernetes_server, self.kubeconfig_encrypted)
        # Unchanged fields need no decryption to know the destination is the same.
        if kubernetes_before != kubernetes_now and (
                _kubernetes_destination(*kubernetes_before) != _kubernetes_destination(*kubernetes_now)):
            changed.append(KUBERNETES_CREDENTIALS)
        if destinations.origin(loaded.get('git_url')) != destinations.origin(self.git_url):
            changed.append(GIT_CREDENTIALS)
        return changed

    def save(self, *args, **kwargs):
        """Save; a stored credential whose destination changed is removed unless this same edit supplied it anew.

        The names of the removed credentials are left in `dropped_credentials` for the form and the REST API to say.
        """
        supplied = self.__dict__.pop('_credentials_supplied', set())
        dropped = []
        for group in self._destination_changes():
            for name in group:
                stored, human = CREDENTIAL_FIELDS[name]
                if getattr(self, stored) and name not in supplied:
                    setattr(self, stored, '')
                    dropped.append(str(human))
        self.dropped_credentials = dropped
        if dropped and kwargs.get('update_fields') is not None:
            kwargs['update_fields'] = {*kwargs['update_fields'], *(stored for stored, _h in CREDENTIAL_FIELDS.values())}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Delete the fabric with its objects and sync history in bulk (seconds whatever their number), in step with
        a sync of the fabric; `deletion_note` then says how such a sync was handled ('' when there was none)."""
        with transaction.atomic():
            notes = fabric_deleting.send(sender=Fabric, fabric=self)
            self.deletion_note = ' '.join(note for _receiver, note in notes if note)
            return super().delete(*args, **kwargs)

    def serialize_object(self, exclude=None):
        """Change-log snapshots name which credentials are set, never their (encrypted) values."""
        stored = [field for field, _human in CREDENTIAL_FIELDS.values()]
        data = super().serialize_object(exclude=[*(exclude or []), *stored])
        for name, (field, _human) in CREDENTIAL_FIELDS.items():
            data.pop(field, None)
            data[f'{name}_set'] = bool(getattr(self, field))
        return data
