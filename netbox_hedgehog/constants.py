from django.utils.translation import gettext_lazy as _

__all__ = (
    'KIND_GROUPS',
    'REFERENCE_FIELDS',
)

# The Hedgehog kinds as people browse them, as (model name, label): the navigation menu groups, and the order of the
# object counts on a fabric's page.
KIND_GROUPS = (
    (_('Wiring'), (
        ('switch', _('Switches')),
        ('switchgroup', _('Switch Groups')),
        ('switchprofile', _('Switch Profiles')),
        ('server', _('Servers')),
        ('connection', _('Connections')),
        ('vlannamespace', _('VLAN Namespaces')),
    )),
    (_('VPCs'), (
        ('ipv4namespace', _('IPv4 Namespaces')),
        ('vpc', _('VPCs')),
        ('vpcattachment', _('VPC Attachments')),
        ('vpcpeering', _('VPC Peerings')),
    )),
    (_('Externals'), (
        ('external', _('Externals')),
        ('externalattachment', _('External Attachments')),
        ('externalpeering', _('External Peerings')),
    )),
    (_('Gateways'), (
        ('gateway', _('Gateways')),
        ('gatewaygroup', _('Gateway Groups')),
        ('gatewaypeering', _('Gateway Peerings')),
    )),
)

# Typed columns that name other objects of the same fabric: model name -> {column: referenced model name}.
REFERENCE_FIELDS = {
    'switch': {
        'profile': 'switchprofile',
        'groups': 'switchgroup',
        'redundancy_group': 'switchgroup',
        'vlan_namespaces': 'vlannamespace',
    },
    'connection': {
        'switches': 'switch',
        'servers': 'server',
        'gateways': 'gateway',
        'vpc': 'vpc',
    },
    'vpc': {
        'ipv4_namespace': 'ipv4namespace',
        'vlan_namespace': 'vlannamespace',
    },
    'vpcattachment': {
        'vpc': 'vpc',
        'connection': 'connection',
    },
    'vpcpeering': {
        'vpcs': 'vpc',
    },
    'external': {
        'ipv4_namespace': 'ipv4namespace',
    },
    'externalattachment': {
        'external': 'external',
        'connection': 'connection',
    },
    'externalpeering': {
        'vpc': 'vpc',
        'external': 'external',
    },
    'gateway': {
        'groups': 'gatewaygroup',
    },
    'gatewaypeering': {
        'gateway_group': 'gatewaygroup',
        'vpcs': 'vpc',
    },
}
