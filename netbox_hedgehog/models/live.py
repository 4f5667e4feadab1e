from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netbox_hedgehog.choices import CablingChoices

__all__ = (
    'LinkCheck',
    'SwitchLiveState',
)


class SwitchLiveState(models.Model):
    """What a switch's agent reported in its Agent status when the fabric was last synced (replaced every sync)."""
    switch = models.OneToOneField(
        to='netbox_hedgehog.Switch', on_delete=models.CASCADE, related_name='live_state', verbose_name=_('switch'),
    )
    fabric = models.ForeignKey(
        to='netbox_hedgehog.Fabric', on_delete=models.CASCADE, related_name='+', verbose_name=_('fabric'),
    )
    read_at = models.DateTimeField(verbose_name=_('read'))
    digest = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text=_('Digest of the fields below as read: a sync rewrites the row only when it differs'),
    )
    heartbeat = models.DateTimeField(verbose_name=_('last heartbeat'), null=True, blank=True)
    agent_version = models.CharField(verbose_name=_('agent version'), max_length=100, blank=True)
    boot_id = models.CharField(verbose_name=_('boot ID'), max_length=100, blank=True)
    run_id = models.CharField(verbose_name=_('run ID'), max_length=100, blank=True)
    generation = models.BigIntegerField(verbose_name=_('current generation'), null=True, blank=True)
    applied_generation = models.BigIntegerField(verbose_name=_('applied generation'), null=True, blank=True)
    applied_reason = models.CharField(verbose_name=_('Applied reason'), max_length=100, blank=True)
    applied_message = models.CharField(verbose_name=_('Applied message'), max_length=500, blank=True)
    reboot_required = models.BooleanField(verbose_name=_('reboot required'), default=False)
    nos_version = models.CharField(verbose_name=_('NOS version'), max_length=200, blank=True)
    platform = models.CharField(verbose_name=_('platform'), max_length=200, blank=True)
    hwsku = models.CharField(verbose_name=_('HWSKU'), max_length=200, blank=True)
    manufacturer = models.CharField(verbose_name=_('manufacturer'), max_length=200, blank=True)
    serial = models.CharField(verbose_name=_('serial number'), max_length=200, blank=True)
    interfaces = models.JSONField(
        verbose_name=_('interfaces'), default=dict, blank=True,
        help_text=_('{port: {admin, oper, speed, change, transceiver, neighbours: [{system, port, description}]}}'),
    )
    bgp_neighbors = models.JSONField(
        verbose_name=_('BGP neighbours'), default=list, blank=True,
        help_text=_('List of {vrf, ip, state, peer_as}'),
    )
    platform_alarms = models.JSONField(
        verbose_name=_('platform alarms'), default=list, blank=True,
        help_text=_('Fans, PSUs and temperature sensors not OK: list of {item, name, problem}'),
    )

    class Meta:
        ordering = ('switch',)
        verbose_name = _('switch live state')
        verbose_name_plural = _('switch live states')

    def __str__(self):
        return f'{self.switch_id} live state'


class LinkCheck(models.Model):
    """The LLDP cabling check of one switch port of a Connection's link, or an unplanned LLDP neighbour."""
    fabric = models.ForeignKey(
        to='netbox_hedgehog.Fabric', on_delete=models.CASCADE, related_name='+', verbose_name=_('fabric'),
    )
    connection = models.ForeignKey(
        to='netbox_hedgehog.Connection', on_delete=models.CASCADE, related_name='link_checks', null=True,
        blank=True, verbose_name=_('connection'),
    )
    switch = models.ForeignKey(
        to='netbox_hedgehog.Switch', on_delete=models.CASCADE, related_name='link_checks', verbose_name=_('switch'),
    )
    port = models.CharField(verbose_name=_('port'), max_length=64)
    expected = models.CharField(verbose_name=_('expected neighbour'), max_length=300, blank=True)
    seen = models.CharField(verbose_name=_('LLDP neighbours seen'), max_length=1000, blank=True)
    oper = models.CharField(verbose_name=_('port state'), max_length=30, blank=True)
    status = models.CharField(verbose_name=_('cabling'), max_length=20, choices=CablingChoices)

    class Meta:
        ordering = ('switch', 'port')
        verbose_name = _('link check')
        verbose_name_plural = _('link checks')
        constraints = (
            models.UniqueConstraint(fields=('switch', 'port'), name='netbox_hedgehog_linkcheck_unique_port'),
            models.CheckConstraint(
                condition=Q(status__in=CablingChoices.values()), name='netbox_hedgehog_linkcheck_status_valid',
                violation_error_message=_('Unknown cabling status.'),
            ),
            models.CheckConstraint(
                condition=Q(status=CablingChoices.UNPLANNED, connection__isnull=True)
                | (~Q(status=CablingChoices.UNPLANNED) & Q(connection__isnull=False)),
                name='netbox_hedgehog_linkcheck_unplanned',
                violation_error_message=_('A port is "unplanned" exactly when no Connection names it.'),
            ),
        )

    def __str__(self):
        return f'{self.port}: {self.status}'

    def get_status_color(self):
        return CablingChoices.colors.get(self.status)
