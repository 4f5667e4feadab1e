"""Panels on NetBox's own pages: a device, interface, cable, prefix or VLAN the projection created or adopted links to
its Hedgehog object."""
from netbox.plugins import PluginTemplateExtension

from netbox_hedgehog.inventory.links import hedgehog_objects

__all__ = (
    'template_extensions',
)


class HedgehogObjectPanel(PluginTemplateExtension):
    models = ['dcim.device', 'dcim.interface', 'dcim.cable', 'ipam.prefix', 'ipam.vlan', 'ipam.vrf',
              'ipam.ipaddress', 'ipam.vlangroup']

    def right_page(self):
        links = hedgehog_objects(self.context['object'])
        if not links:
            return ''
        return self.render('netbox_hedgehog/inc/hedgehog_objects.html', extra_context={'hedgehog_links': links})


template_extensions = [HedgehogObjectPanel]
