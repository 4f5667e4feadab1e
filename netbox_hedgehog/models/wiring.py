from django.db import models
from django.utils.translation import gettext_lazy as _

from netbox_hedgehog.choices import ConnectionTypeChoices, SwitchRoleChoices

from .base import HedgehogResource, string_array, unique_name_per_fabric

__all__ = (
    'Connection',
    'Server',
    'Switch',
    'SwitchGroup',
    'SwitchProfile',
    'VLANNamespace',
)



class VLANNamespace(HedgehogResource):
    """A pool of VLAN ranges (wiring.githedgehog.com VLANNamespace)."""
    ranges = string_array(_('ranges'), 20)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('VLAN namespace')
        verbose_name_plural = _('VLAN namespaces')
        constraints = unique_name_per_fabric('vlannamespace')


class SwitchGroup(HedgehogResource):
    """A group of switches, also the redundancy group of ESLAG pairs."""

    class Meta(HedgehogResource.Meta):
        verbose_name = _('switch group')
        verbose_name_plural = _('switch groups')
        constraints = unique_name_per_fabric('switchgroup')


class SwitchProfile(HedgehogResource):
    """A switch model from the controller's catalog; read-only in NetBox."""
    display_name = models.CharField(verbose_name=_('display name'), blank=True, editable=False)
    switch_silicon = models.CharField(verbose_name=_('switch silicon'), blank=True, editable=False)
    nos_type = models.CharField(verbose_name=_('NOS type'), max_length=100, blank=True, editable=False)
    platform = models.CharField(verbose_name=_('platform'), blank=True, editable=False)
    port_count = models.PositiveIntegerField(verbose_name=_('ports'), default=0, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('switch profile')
        verbose_name_plural = _('switch profiles')
        constraints = unique_name_per_fabric('switchprofile')


class Switch(HedgehogResource):
    """A fabric switch (spine or leaf)."""
    role = models.CharField(verbose_name=_('role'), max_length=30, choices=SwitchRoleChoices, blank=True,
                            editable=False)
    description = models.CharField(verbose_name=_('description'), blank=True, editable=False)
    profile = models.CharField(verbose_name=_('profile'), max_length=253, blank=True, editable=False)
    groups = string_array(_('groups'))
    redundancy_group = models.CharField(verbose_name=_('redundancy group'), max_length=253, blank=True,
                                        editable=False)
    redundancy_type = models.CharField(verbose_name=_('redundancy type'), max_length=20, blank=True, editable=False)
    vlan_namespaces = string_array(_('VLAN namespaces'))
    asn = models.BigIntegerField(verbose_name=_('ASN'), null=True, blank=True, editable=False)
    ip = models.CharField(verbose_name=_('management IP'), max_length=64, blank=True, editable=False)
    protocol_ip = models.CharField(verbose_name=_('protocol IP'), max_length=64, blank=True, editable=False)
    vtep_ip = models.CharField(verbose_name=_('VTEP IP'), max_length=64, blank=True, editable=False)
    boot_serial = models.CharField(verbose_name=_('serial'), blank=True, editable=False)
    boot_mac = models.CharField(verbose_name=_('boot MAC'), blank=True, editable=False)
    breakouts = models.JSONField(verbose_name=_('port breakouts'), default=dict, blank=True, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('switch')
        verbose_name_plural = _('switches')
        constraints = unique_name_per_fabric('switch')

    def get_role_color(self):
        return SwitchRoleChoices.colors.get(self.role)


class Server(HedgehogResource):
    """Any endpoint attached to the fabric that is not a switch."""
    description = models.CharField(verbose_name=_('description'), blank=True, editable=False)
    profile = models.CharField(verbose_name=_('profile'), max_length=253, blank=True, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('server')
        verbose_name_plural = _('servers')
        constraints = unique_name_per_fabric('server')


class Connection(HedgehogResource):
    """A cable or logical link between switches, servers, gateways and externals."""
    connection_type = models.CharField(verbose_name=_('type'), max_length=30, choices=ConnectionTypeChoices,
                                       blank=True, editable=False)
    switches = string_array(_('switches'))
    servers = string_array(_('servers'))
    gateways = string_array(_('gateways'))
    ports = string_array(_('ports'))
    endpoints = models.JSONField(verbose_name=_('endpoints'), default=list, blank=True, editable=False)
    link_count = models.PositiveIntegerField(verbose_name=_('links'), default=0, editable=False)
    vpc = models.CharField(verbose_name=_('within VPC'), max_length=253, blank=True, editable=False)

    class Meta(HedgehogResource.Meta):
        verbose_name = _('connection')
        verbose_name_plural = _('connections')
        constraints = unique_name_per_fabric('connection')

    def get_connection_type_color(self):
        return ConnectionTypeChoices.colors.get(self.connection_type)
