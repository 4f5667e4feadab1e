from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import HedgehogResource, string_array, unique_name_per_fabric

__all__ = (
    'Gateway',
    'GatewayGroup',
    'GatewayPeering',
)


class GatewayGroup(HedgehogResource):
    """A group of gateways sharing peerings (gateway.githedgehog.com GatewayGroup)."""

    class Meta(HedgehogResource.Meta):
        verbose_name = _('gateway group')
        verbose_name_plural = _('gateway groups')
        constraints = unique_name_per_fabric('gatewaygroup')


class Gateway(HedgehogResource):
    """A Hedgehog gateway node (gateway.githedgehog.com Gateway)."""
    asn = models.BigIntegerField(verbose_name=_('ASN'), null=True, blank=True, editable=False)
    protocol_ip = models.CharField(verbose_name=_('protocol IP'), max_length=64, blank=True, editable=False)
    vtep_ip = models.CharField(verbose_name=_('VTEP IP'), max_length=64, blank=True, editable=False)
    workers = models.PositiveIntegerField(verbose_name=_('workers'), null=True, blank=True, editable=False)
    interfaces = string_array(_('interfaces'), 100)
    groups = string_array(_('groups'))

    class Meta(HedgehogResource.Meta):
        verbose_name = _('gateway')
        verbose_name_plural = _('gateways')
        constraints = unique_name_per_fabric('gateway')


class GatewayPeering(HedgehogResource):
    """Two VPCs (or a VPC and an external) peered through a gateway group (gateway.githedgehog.com GatewayPeering)."""
    gateway_group = models.CharField(verbose_name=_('gateway group'), max_length=253, blank=True, editable=False)
    vpcs = string_array(_('VPCs'))
    prefixes = string_array(_('exposed prefixes'), None)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('gateway peering')
        verbose_name_plural = _('gateway peerings')
        constraints = unique_name_per_fabric('gatewaypeering')
