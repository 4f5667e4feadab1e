import hashlib
import json
import math

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from netbox.models import NetBoxModel
from utilities.exceptions import AbortRequest

from netbox_hedgehog import k8s_names
from netbox_hedgehog.choices import DriftStatusChoices
from netbox_hedgehog.kinds import KIND_BY_MODEL, SpecError, to_manifest
from netbox_hedgehog.loader import DIGEST_VERSION
from netbox_hedgehog.references import FabricWorld
from netbox_hedgehog.validation import Refusal, validate

__all__ = (
    'SYNC_OWNED_FIELDS',
    'UNLOGGED_FIELDS',
    'HedgehogResource',
    'StaleEdit',
    'content_key',
    'content_key_sql',
    'jsonb_text',
    'string_array',
    'unique_name_per_fabric',
)

# What an edit made in NetBox never writes: the object's identity and state in the cluster (only the sync writes
# them), and its dangling references (recomputed for the whole fabric, see references.py).
SYNC_OWNED_FIELDS = ('uid', 'resource_version', 'generation', 'creation_timestamp', 'observed', 'dangling_references',
                     'verified_version')

# Derived from the other objects of the fabric and recomputed without a change of the object itself, or the sync's
# cache of the content's digest: not part of its change records.
UNLOGGED_FIELDS = ('dangling_references', 'content_key', 'content_digest', 'verified_version')


class StaleEdit(AbortRequest):
    """An edit based on a version of an object that a sync (or another edit) has replaced since: nothing is saved."""


def string_array(verbose_name, max_length=253):
    """A typed column holding a list of names (or CIDRs) derived from the spec."""
    return ArrayField(models.CharField(max_length=max_length), verbose_name=verbose_name, default=list,
                      blank=True, editable=False)


def content_key_sql(alias):
    """The SQL expression of the content key of the row of a kind's table named `alias` in a statement: the sha256 of
    its name, spec, labels and annotations as PostgreSQL holds them (jsonb's own text, which contains no control
    character, so the separator keeps the key unambiguous), and of the version of the loader's digest."""
    content = ', '.join(f"coalesce({alias}.{column}::text, 'null')" for column in ('spec', 'labels', 'annotations'))
    return (f"encode(sha256(convert_to(concat_ws(chr(31), '{DIGEST_VERSION}', {alias}.name, {content}), 'UTF8')), "
            f"'hex')")


class _NotExact(Exception):
    """A value whose jsonb text cannot be told from Python."""


def _utf8_length(text):
    return len(text.encode())


def _jsonb_ordered(value):
    """`value` with every object's keys in jsonb's order (shorter first, then bytewise); raises _NotExact for a
    number jsonb would write otherwise than Python (exponent form, negative zero, non-finite) or a key that is no
    string."""
    kind = type(value)
    if kind is dict:
        try:
            ascii_keys = ''.join(value).isascii()
        except TypeError:
            raise _NotExact from None
        # Code point order is UTF-8's byte order; the stable sort by length keeps it among keys of one length.
        keys = sorted(value)
        keys.sort(key=len if ascii_keys else _utf8_length)
        return {key: _jsonb_ordered(value[key]) for key in keys}
    if kind is list:
        return [_jsonb_ordered(item) for item in value]
    if kind is float:
        negative_zero = value == 0 and math.copysign(1, value) < 0
        if negative_zero or not math.isfinite(value) or 'e' in repr(value):
            raise _NotExact
    elif kind not in (str, int, bool) and value is not None:
        raise _NotExact
    return value


def jsonb_text(value):
    """`value` as JSON text that PostgreSQL reads as the same jsonb and gives back (`value::text`) exactly as it is,
    or None when that cannot be told from Python (numbers jsonb writes otherwise, keys that are not strings).

    jsonb writes an object's keys shorter first, then bytewise, separated by ", " and ": ", and strings with the
    same escapes as Python's JSON encoder without ASCII escaping."""
    if not value and type(value) in (dict, list):
        return '{}' if type(value) is dict else '[]'
    try:
        ordered = _jsonb_ordered(value)
    except _NotExact:
        return None
    return json.dumps(ordered, ensure_ascii=False)


def content_key(name, spec_text, labels_text, annotations_text):
    """The content key (content_key_sql) of a row holding `name` and the jsonb texts (jsonb_text) of its spec,
    labels and annotations, computed without asking PostgreSQL."""
    payload = chr(31).join((str(DIGEST_VERSION), name, spec_text, labels_text, annotations_text))
    return hashlib.sha256(payload.encode()).hexdigest()


def unique_name_per_fabric(model_name):
    """The constraints every kind carries: a name is unique within its fabric, and its drift state is consistent
    (a known drift status; "missing from cluster" exactly when no observed state is stored)."""
    missing = DriftStatusChoices.MISSING_FROM_CLUSTER
    return (
        models.UniqueConstraint(fields=('fabric', 'name'), name=f'netbox_hedgehog_{model_name}_unique_name'),
        models.CheckConstraint(
            condition=Q(drift_status='') | Q(drift_status__in=DriftStatusChoices.values()),
            name=f'netbox_hedgehog_{model_name}_drift_status_valid',
            violation_error_message=_('Unknown drift status.'),
        ),
        models.CheckConstraint(
            condition=Q(drift_status='') | Q(drift_status=missing, observed__isnull=True)
            | (~Q(drift_status=missing) & Q(observed__isnull=False)),
            name=f'netbox_hedgehog_{model_name}_drift_observed',
            violation_error_message=_('An object is "missing from cluster" exactly when no observed state is '
                                      'stored.'),
        ),
    )


class HedgehogResource(NetBoxModel):
    """Abstract base of every Hedgehog kind: the object's identity, its full spec and its Kubernetes metadata.

    Typed columns of the concrete models are derived from `spec` by the kind registry and never edited apart
    from it: `apply_spec()` runs on every save and in every bulk write.
    """
    fabric = models.ForeignKey(
        to='netbox_hedgehog.Fabric', on_delete=models.CASCADE, related_name='%(class)s_set',
        verbose_name=_('fabric'),
    )
    name = models.CharField(verbose_name=_('name'), max_length=253)
    spec = models.JSONField(verbose_name=_('spec'), default=dict, blank=True)
    labels = models.JSONField(verbose_name=_('labels'), default=dict, blank=True)
    annotations = models.JSONField(verbose_name=_('annotations'), default=dict, blank=True)

    # Kubernetes identity, as last read from the cluster
    uid = models.CharField(verbose_name=_('UID'), max_length=64, blank=True, editable=False)
    resource_version = models.CharField(verbose_name=_('resource version'), max_length=64, blank=True,
                                        editable=False)
    generation = models.BigIntegerField(verbose_name=_('generation'), null=True, blank=True, editable=False)
    creation_timestamp = models.DateTimeField(verbose_name=_('created in Kubernetes'), null=True, blank=True,
                                              editable=False)

    # GitOps (fabrics with Git settings only; empty otherwise). spec/labels/annotations then hold the desired state.
    observed = models.JSONField(
        verbose_name=_('observed state'), null=True, blank=True, editable=False,
        help_text=_('{spec, labels, annotations} as the cluster holds them; empty when the object is not in the '
                    'cluster'),
    )
    drift_status = models.CharField(
        verbose_name=_('drift'), max_length=30, choices=DriftStatusChoices, blank=True, editable=False,
    )
    drift_diff = models.JSONField(
        verbose_name=_('drift diff'), default=list, blank=True, editable=False,
        help_text=_('List of {"path", "git", "cluster"} for each desired value the cluster holds differently'),
    )
    git_file = models.CharField(
        verbose_name=_('Git file'), max_length=500, blank=True, editable=False,
        help_text=_('Repository path of the file holding the object'),
    )
    git_digest = models.CharField(
        verbose_name=_('Git digest'), max_length=64, blank=True, editable=False,
        help_text=_('Digest of the object as NetBox last read it from or wrote it to Git: the version an edit is '
                    'based on'),
    )
    git_pending_since = models.DateTimeField(
        verbose_name=_('Git write queued'), null=True, blank=True, editable=False,
        help_text=_('Set while an edit made in NetBox waits to be committed; the sync keeps the edit meanwhile'),
    )
    git_review_branch = models.CharField(
        verbose_name=_('waiting for review on'), max_length=200, blank=True, editable=False,
        help_text=_('The review branch holding an edit made in NetBox that the tracked branch does not hold yet; '
                    'the sync keeps the edit meanwhile'),
    )


    # Cluster writes (fabrics whose write mode is "cluster").
    apply_pending_since = models.DateTimeField(
        verbose_name=_('pending apply since'), null=True, blank=True, editable=False,
        help_text=_('Set while an edit made in NetBox waits to be applied to the cluster and confirmed by a sync'),
    )
    apply_error = models.TextField(
        verbose_name=_('apply error'), blank=True, editable=False,
        help_text=_('Why the last apply of an edit to the cluster failed, in the API server\'s words (the cluster '
                    'was not changed)'),
    )

    # References to objects the fabric does not hold, kept exact by references.refresh_dangling().
    dangling_references = ArrayField(
        models.TextField(), verbose_name=_('dangling references'), default=list, blank=True, editable=False,
        help_text=_('The references of this object that name no object of its fabric'),
    )

    # The sync's cache of the content's digest: `content_digest` is the loader's digest of the content (name, spec,
    # labels, annotations) whose key (content_key_sql) is `content_key`. Both are a function of the content alone,
    # so a pair left behind by a write that did not update it (an edit, a script) is never wrong: it no longer
    # matches the row's key, and the sync digests the row's content instead.
    content_key = models.CharField(verbose_name=_('content key'), max_length=64, blank=True, editable=False)
    content_digest = models.CharField(verbose_name=_('content digest'), max_length=64, blank=True, editable=False)
    # The resourceVersion of the cluster object the sync found this row's content (the content under `content_key`)
    # equal to, or wrote it from; empty when it did not (Git fabrics, content digested from the row). While the key
    # still matches the row's content, an item listed with this version is the row's content: the sync counts it
    # unchanged without digesting it.
    verified_version = models.CharField(verbose_name=_('verified version'), max_length=64, blank=True,
                                        editable=False)

    clone_fields = ('fabric',)
    # clean() applies the fabric's admission rules to every change NetBox accepts (forms, REST, bulk import and
    # edit); only the YAML loader, which seeds NetBox with objects as written, turns this off for its objects.
    judge_admission = True

    class Meta:
        abstract = True
        ordering = ('fabric', 'name')

    def __str__(self):
        return self.name

    @classmethod
    def kind_spec(cls):
        return KIND_BY_MODEL[cls._meta.model_name]

    @property
    def kind(self):
        return self.kind_spec().kind

    def get_drift_status_color(self):
        return DriftStatusChoices.colors.get(self.drift_status)

    @property
    def desired(self):
        """The object's desired state (its spec and metadata as NetBox holds them)."""
        return {'spec': self.spec, 'labels': self.labels, 'annotations': self.annotations}

    def serialize_object(self, exclude=None):
        return super().serialize_object(exclude=[*(exclude or []), *UNLOGGED_FIELDS])

    def apply_spec(self):
        """Set the typed columns from `spec`; raises SpecError naming the offending field."""
        for name, value in self.kind_spec().typed_fields(self.spec).items():
            setattr(self, name, value)

    def clean(self):
        super().clean()
        errors = {}
        if problem := k8s_names.name_problem(self.name):
            errors['name'] = problem
        if problem := k8s_names.labels_problem(self.labels):
            errors['labels'] = _('Invalid label: {problem}.').format(problem=problem)
        if problem := k8s_names.annotations_problem(self.annotations):
            errors['annotations'] = _('Invalid annotation: {problem}.').format(problem=problem)
        if errors:
            raise ValidationError(errors)
        try:
            self.apply_spec()
        except SpecError as e:
            raise ValidationError({'spec': str(e)})
        if not self.judge_admission:
            return
        try:
            validate(self.kind, self.name, self.spec, self.annotations, world=self.world(),
                     config=self.admission_config())
        except Refusal as e:
            field = {'metadata.name': 'name'}.get(e.path, 'annotations' if e.path.startswith('metadata.') else 'spec')
            raise ValidationError({field: _('Refused by the fabric\'s admission rules: {refusal}').format(
                refusal=e)})

    def world(self):
        """The other objects of the fabric, for the admission rules that span objects (None without a fabric)."""
        return FabricWorld(self.fabric_id, exclude=(type(self), self.pk)) if self.fabric_id else None

    def admission_config(self):
        """The fabric's settings as the admission rules take them (all unknown without a fabric)."""
        return self.fabric.admission_config if self.fabric_id else None

    def save(self, *args, **kwargs):
        """Save an edit. Saving an existing row writes every field but those only the sync owns, and only when the
        row is still the version this instance was loaded as (else StaleEdit), so that an edit racing a sync never
        reverts what the sync wrote."""
        self.apply_spec()
        if self._state.adding or kwargs.get('update_fields') is not None or kwargs.get('force_insert'):
            super().save(*args, **kwargs)
            return
        kwargs['update_fields'] = [
            field.name for field in self._meta.concrete_fields
            if not field.primary_key and field.name not in SYNC_OWNED_FIELDS
        ]
        with transaction.atomic(using=kwargs.get('using')):
            self._refuse_stale_edit()
            super().save(*args, **kwargs)

    def _refuse_stale_edit(self):
        """Lock the row until the edit commits; raise StaleEdit when it changed since this instance was loaded."""
        current = type(self)._base_manager.select_for_update().filter(pk=self.pk).values_list(
            'resource_version', 'last_updated',
        ).first()
        if current is not None and current != (self.resource_version, self.last_updated):
            raise StaleEdit(
                f'{self.kind} {self.name} was changed by a sync of its fabric (or by another edit) after this edit '
                f'loaded it (resource version {self.resource_version or "none"}, now '
                f'{current[0] or "none"}); nothing was saved, so that the newer state is not reverted. Reload the '
                f'object and make the edit again.'
            )

    def to_manifest(self, managed_labels=True):
        return to_manifest(
            self.kind_spec(), self.name, self.spec, self.labels, self.annotations,
            namespace=self.fabric.kubernetes_namespace if self.fabric_id else 'default',
            managed_labels=managed_labels,
        )

    def to_yaml(self):
        import yaml
        return yaml.safe_dump(self.to_manifest(), sort_keys=False, default_flow_style=False)
