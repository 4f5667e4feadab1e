import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from utilities.querysets import RestrictedQuerySet

from netbox_hedgehog.choices import SyncActionChoices, SyncRunStatusChoices, SyncTriggerChoices

__all__ = (
    'SyncChange',
    'SyncRun',
)


class SyncRun(models.Model):
    """One sync of one fabric: who or what asked for it, how it went, and what it changed."""
    fabric = models.ForeignKey(
        to='netbox_hedgehog.Fabric', on_delete=models.CASCADE, related_name='sync_runs', verbose_name=_('fabric'),
    )
    request_id = models.UUIDField(
        verbose_name=_('request ID'), default=uuid.uuid4, unique=True, editable=False,
        help_text=_('Shared with the change-log records this run wrote'),
    )
    trigger = models.CharField(verbose_name=_('trigger'), max_length=20, choices=SyncTriggerChoices)
    user = models.ForeignKey(
        to=settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name='+', blank=True, null=True,
        verbose_name=_('requested by'),
    )
    dry_run = models.BooleanField(verbose_name=_('dry run'), default=False)
    queue = models.CharField(verbose_name=_('queue'), max_length=50, blank=True)
    job_id = models.CharField(verbose_name=_('job ID'), max_length=100, blank=True)
    status = models.CharField(
        verbose_name=_('status'), max_length=20, choices=SyncRunStatusChoices, default=SyncRunStatusChoices.QUEUED,
    )
    created = models.DateTimeField(verbose_name=_('created'), auto_now_add=True)
    started = models.DateTimeField(verbose_name=_('started'), null=True, blank=True)
    finished = models.DateTimeField(verbose_name=_('finished'), null=True, blank=True)
    counts = models.JSONField(
        verbose_name=_('counts'), default=dict, blank=True,
        help_text=_('Per kind: how many objects were created, updated, deleted, unchanged or in error'),
    )
    pruned = models.BooleanField(verbose_name=_('pruned'), default=False)
    prune_skipped_reason = models.TextField(verbose_name=_('pruning skipped because'), blank=True)
    error = models.TextField(verbose_name=_('error'), blank=True)
    log = models.TextField(verbose_name=_('log'), blank=True)
    git_commit = models.CharField(verbose_name=_('Git commit'), max_length=64, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('-created', '-pk')
        verbose_name = _('sync run')
        verbose_name_plural = _('sync runs')
        indexes = (
            models.Index(fields=('fabric', '-created'), name='netbox_hedgehog_syncrun_recent'),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(status__in=SyncRunStatusChoices.values()),
                name='netbox_hedgehog_syncrun_status_valid',
            ),
            models.CheckConstraint(
                condition=~Q(status__in=SyncRunStatusChoices.FINISHED_STATES) | Q(finished__isnull=False),
                name='netbox_hedgehog_syncrun_finished_has_time',
            ),
        )

    def __str__(self):
        return f'{self.fabric} #{self.pk}'

    def get_absolute_url(self):
        return reverse('plugins:netbox_hedgehog:syncrun', args=[self.pk])

    def get_status_color(self):
        return SyncRunStatusChoices.colors.get(self.status)

    def get_trigger_color(self):
        return SyncTriggerChoices.colors.get(self.trigger)

    def get_trigger_display(self):
        """What started the run, labelled as a dry run wherever it is shown (pages, lists, the fabric's activity)."""
        trigger = dict(SyncTriggerChoices).get(self.trigger, self.trigger)
        return _('Dry run: {trigger}').format(trigger=trigger) if self.dry_run else trigger

    @property
    def duration(self):
        if self.started and self.finished:
            return self.finished - self.started
        return None

    @property
    def duration_text(self):
        """The duration as people write it: "0.4 s", "12.3 s", "3 min 4 s", "1 h 2 min" ("" while unfinished)."""
        if self.duration is None:
            return ''
        seconds = self.duration.total_seconds()
        if seconds < 60:
            return f'{seconds:.1f} s'
        minutes, seconds = divmod(round(seconds), 60)
        if minutes < 60:
            return f'{minutes} min {seconds} s'
        return f'{minutes // 60} h {minutes % 60} min'

    @property
    def is_active(self):
        return self.status in SyncRunStatusChoices.ACTIVE_STATES

    def total(self, action):
        return sum(kind_counts.get(action, 0) for kind_counts in self.counts.values())

    @property
    def created_count(self):
        return self.total('create')

    @property
    def updated_count(self):
        return self.total('update')

    @property
    def deleted_count(self):
        return self.total('delete')

    @property
    def error_count(self):
        return self.total('error')


class SyncChange(models.Model):
    """What one sync run did (or, in a dry run, would do) to one object, with a field-level diff."""
    run = models.ForeignKey(to=SyncRun, on_delete=models.CASCADE, related_name='changes', verbose_name=_('sync run'))
    kind = models.CharField(verbose_name=_('kind'), max_length=50)
    name = models.CharField(verbose_name=_('name'), max_length=253)
    action = models.CharField(verbose_name=_('action'), max_length=20, choices=SyncActionChoices)
    object_id = models.PositiveBigIntegerField(verbose_name=_('object ID'), null=True, blank=True)
    diff = models.JSONField(
        verbose_name=_('diff'), default=list, blank=True,
        help_text=_('List of {"path", "old", "new"} for each changed field'),
    )
    message = models.TextField(verbose_name=_('message'), blank=True)
    git_file = models.CharField(
        verbose_name=_('Git file'), max_length=500, blank=True,
        help_text=_('For an error in the Git repository: the file it is in (the message names the line)'),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ('run', 'kind', 'name')
        verbose_name = _('sync change')
        verbose_name_plural = _('sync changes')

    def __str__(self):
        return f'{self.action} {self.kind} {self.name}'

    def get_action_color(self):
        return SyncActionChoices.colors.get(self.action)
