from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from netbox_hedgehog.choices import ExternalTypeChoices, VPCModeChoices

from .base import HedgehogResource, string_array, unique_name_per_fabric

__all__ = (
    'External',
    'ExternalAttachment',
    'ExternalPeering',
    'IPv4Namespace',
    'VPC',
    'VPCAttachment',
    'VPCPeering',
)



def _ref(verbose_name):
    return models.CharField(verbose_name=verbose_name, max_length=253, blank=True, editable=False)



class IPv4Namespace(HedgehogResource):
    """A pool of IPv4 subnets for VPCs and externals."""
    subnets = string_array(_('subnets'), 64)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('IPv4 namespace')
        verbose_name_plural = _('IPv4 namespaces')
        constraints = unique_name_per_fabric('ipv4namespace')


class VPC(HedgehogResource):
    """A virtual private cloud: subnets with VLANs, DHCP and isolation rules."""
    mode = models.CharField(verbose_name=_('mode'), max_length=10, choices=VPCModeChoices, blank=True,
                            editable=False)
    ipv4_namespace = _ref(_('IPv4 namespace'))
    vlan_namespace = _ref(_('VLAN namespace'))
    subnet_names = string_array(_('subnet names'))
    subnets = string_array(_('subnets'), 64)
    vlans = ArrayField(models.PositiveIntegerField(), verbose_name=_('VLANs'), default=list, blank=True,
                       editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('VPC')
        verbose_name_plural = _('VPCs')
        constraints = unique_name_per_fabric('vpc')

    def get_mode_color(self):
        return VPCModeChoices.colors.get(self.mode)


class VPCAttachment(HedgehogResource):
    """Attaches a VPC subnet to a server-facing connection."""
    vpc = _ref(_('VPC'))
    subnet = _ref(_('subnet'))
    connection = _ref(_('connection'))
    native_vlan = models.BooleanField(verbose_name=_('native VLAN'), default=False, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('VPC attachment')
        verbose_name_plural = _('VPC attachments')
        constraints = unique_name_per_fabric('vpcattachment')


class VPCPeering(HedgehogResource):
    """Permits traffic between two VPCs."""
    vpcs = string_array(_('VPCs'))

    class Meta(HedgehogResource.Meta):
        verbose_name = _('VPC peering')
        verbose_name_plural = _('VPC peerings')
        constraints = unique_name_per_fabric('vpcpeering')


class External(HedgehogResource):
    """A network outside the fabric, reached over BGP or static routes."""
    ipv4_namespace = _ref(_('IPv4 namespace'))
    inbound_community = models.CharField(verbose_name=_('inbound community'), max_length=30, blank=True,
                                         editable=False)
    outbound_community = models.CharField(verbose_name=_('outbound community'), max_length=30, blank=True,
                                          editable=False)
    static_prefixes = string_array(_('static prefixes'), 64)
    external_type = models.CharField(verbose_name=_('type'), max_length=10, choices=ExternalTypeChoices,
                                     blank=True, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('external')
        verbose_name_plural = _('externals')
        constraints = unique_name_per_fabric('external')

    def get_external_type_color(self):
        return ExternalTypeChoices.colors.get(self.external_type)


class ExternalAttachment(HedgehogResource):
    """Attaches an external to a border switch connection."""
    external = _ref(_('external'))
    connection = _ref(_('connection'))
    vlan = models.PositiveIntegerField(verbose_name=_('VLAN'), null=True, blank=True, editable=False)
    switch_ip = models.CharField(verbose_name=_('switch IP'), max_length=64, blank=True, editable=False)
    neighbor_asn = models.BigIntegerField(verbose_name=_('neighbor ASN'), null=True, blank=True, editable=False)
    neighbor_ip = models.CharField(verbose_name=_('neighbor IP'), max_length=64, blank=True, editable=False)
    external_type = models.CharField(verbose_name=_('type'), max_length=10, choices=ExternalTypeChoices,
                                     blank=True, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('external attachment')
        verbose_name_plural = _('external attachments')
        constraints = unique_name_per_fabric('externalattachment')

    def get_external_type_color(self):
        return ExternalTypeChoices.colors.get(self.external_type)


class ExternalPeering(HedgehogResource):
    """Permits a VPC's subnets to reach an external's prefixes."""
    vpc = _ref(_('VPC'))
    vpc_subnets = string_array(_('VPC subnets'))
    external = _ref(_('external'))
    prefixes = string_array(_('prefixes'), 64)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('external peering')
        verbose_name_plural = _('external peerings')
        constraints = unique_name_per_fabric('externalpeering')
