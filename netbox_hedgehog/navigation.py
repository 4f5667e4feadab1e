from django.utils.translation import gettext_lazy as _
from netbox.plugins import PluginMenu, PluginMenuButton, PluginMenuItem

from .kinds import menu_groups


def menu_item(model_name, label, read_only=False):
    """The menu entry of one model: its list, with Add and Import buttons unless NetBox must not create it."""
    buttons = () if read_only else (
        PluginMenuButton(
            link=f'plugins:netbox_hedgehog:{model_name}_add',
            title=_('Add'),
            icon_class='mdi mdi-plus-thick',
            permissions=[f'netbox_hedgehog.add_{model_name}'],
        ),
        PluginMenuButton(
            link=f'plugins:netbox_hedgehog:{model_name}_bulk_import',
            title=_('Import'),
            icon_class='mdi mdi-upload',
            permissions=[f'netbox_hedgehog.add_{model_name}'],
        ),
    )
    return PluginMenuItem(
        link=f'plugins:netbox_hedgehog:{model_name}_list',
        link_text=label,
        permissions=[f'netbox_hedgehog.view_{model_name}'],
        buttons=buttons,
    )


menu = PluginMenu(
    label='Hedgehog',
    icon_class='mdi mdi-hexagon-multiple-outline',
    groups=(
        (_('Fabrics'), (
            menu_item('fabric', _('Fabrics')),
            PluginMenuItem(
                link='plugins:netbox_hedgehog:syncrun_list',
                link_text=_('Sync Runs'),
                permissions=['netbox_hedgehog.view_syncrun'],
            ),
        )),
        # The Hedgehog kinds, grouped and ordered as the kind registry says.
        *(
            (group, tuple(menu_item(kind.model_name, kind.label, kind.read_only) for kind in kinds))
            for group, kinds in menu_groups()
        ),
    ),
)
