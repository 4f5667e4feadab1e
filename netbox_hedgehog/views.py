from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.models.deletion import CountOnly
from netbox.object_actions import (
    AddObject,
    BulkDelete,
    BulkEdit,
    BulkExport,
    BulkImport,
    CloneObject,
    DeleteObject,
    EditObject,
)
from netbox.ui import layout
from netbox.ui.breadcrumbs import Breadcrumb, filtered_list_url
from netbox.ui.panels import CommentsPanel, ObjectsTablePanel, RelatedObjectsPanel, TextCodePanel
from netbox.views import generic
from utilities.views import GetRelatedModelsMixin, register_model_view

from . import filtersets, forms, scheduling, tables
from .choices import SyncTriggerChoices
from .kinds import KINDS, menu_groups
from .models import (
    VPC,
    Connection,
    External,
    ExternalAttachment,
    ExternalPeering,
    Fabric,
    Gateway,
    GatewayGroup,
    GatewayPeering,
    IPv4Namespace,
    Server,
    Switch,
    SwitchGroup,
    SwitchProfile,
    SyncRun,
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)
from .object_actions import (
    RESOURCE_ACTIONS,
    RESOURCE_LIST_ACTIONS,
    BulkSyncFabrics,
    DryRunFabric,
    SyncFabric,
    TestConnection,
)
from .sync.connection import check_connection
from .ui import live as live_panels
from .ui import panels


def resource_layout(model_name, attributes_panel, right_panels=(), related_panels=()):
    """The detail page of a Hedgehog object.

    Left: its typed attributes, Kubernetes identity, tags and custom fields. Right: its dangling references (if
    any), its drift (fabrics with Git
    settings), any kind-specific panels, then labels and annotations. Below: tables of the objects that refer to it,
    then its YAML manifest. The breadcrumb trail leads to the list of this kind within the object's fabric.
    """
    return layout.SimpleLayout(
        breadcrumbs=[
            Breadcrumb('fabric', url=filtered_list_url(f'plugins:netbox_hedgehog:{model_name}_list', 'fabric_id')),
        ],
        left_panels=[
            attributes_panel,
            panels.KubernetesIdentityPanel(),
            TagsPanel(),
            CustomFieldsPanel(),
        ],
        right_panels=[
            panels.DanglingReferencesPanel(),
            panels.DriftPanel(),
            *right_panels,
            panels.NetBoxObjectsPanel(),
            panels.KeyValuePanel('labels', title=_('Labels')),
            panels.KeyValuePanel('annotations', title=_('Annotations')),
        ],
        bottom_panels=[
            *related_panels,
            panels.ManifestPanel(),
        ],
    )


def referring_objects(model_name, filter_name, title):
    """A table of the objects of the same fabric whose `filter_name` filter matches the viewed object's name."""
    return ObjectsTablePanel(
        f'netbox_hedgehog.{model_name}',
        filters={
            'fabric_id': lambda ctx: ctx['object'].fabric_id,
            filter_name: lambda ctx: ctx['object'].name,
        },
        exclude_columns=['fabric'],
        title=title,
    )


#
# Fabrics
#

@register_model_view(Fabric, 'list', path='', detail=False)
class FabricListView(generic.ObjectListView):
    queryset = Fabric.objects.prefetch_related('tags')
    filterset = filtersets.FabricFilterSet
    filterset_form = forms.FabricFilterForm
    table = tables.FabricTable
    actions = (AddObject, BulkImport, BulkExport, BulkSyncFabrics, BulkEdit, BulkDelete)


class ResourceBulkEditView(generic.BulkEditView):
    """Bulk edit of a Hedgehog kind: tags, and the Kubernetes labels of every selected object."""

    def pre_save_operations(self, form, obj):
        form.apply_labels(obj)


@register_model_view(Fabric)
class FabricView(generic.ObjectView):
    queryset = Fabric.objects.all()
    template_name = 'generic/object.html'
    actions = (SyncFabric, DryRunFabric, TestConnection, CloneObject, EditObject, DeleteObject)
    layout = layout.SimpleLayout(
        left_panels=[
            panels.FabricPanel(),
            panels.FabricKubernetesPanel(),
            panels.FabricGitPanel(),
            panels.FabricSettingsPanel(),
            TagsPanel(),
            CustomFieldsPanel(),
            CommentsPanel(),
        ],
        right_panels=[
            panels.FabricSyncActivityPanel(),
            panels.FabricClusterDeleteFailuresPanel(),
            panels.FabricSyncPanel(),
            panels.FabricInventoryPanel(),
            live_panels.FabricLivePanel(),
            RelatedObjectsPanel(title=_('Objects')),
            panels.FabricDanglingPanel(),
        ],
        bottom_panels=[
            live_panels.DrawingPanel(title=_('Drawing')),
            panels.FabricDriftPanel(),
        ],
    )

    def get_extra_context(self, request, instance):
        # The count of each kind in this fabric (one query per kind), linking to the kind's list filtered by fabric.
        return {
            'related_models': [
                GetRelatedModelsMixin.RelatedObjectCount(
                    kind.model.objects.restrict(request.user, 'view').filter(fabric=instance),
                    'fabric_id',
                    kind.label,
                )
                for _group, kinds in menu_groups()
                for kind in kinds
            ],
        }


@register_model_view(Fabric, 'add', detail=False)
@register_model_view(Fabric, 'edit')
class FabricEditView(generic.ObjectEditView):
    queryset = Fabric.objects.all()
    form = forms.FabricForm

    def alter_object(self, obj, request, url_args, url_kwargs):
        self.fabric = obj
        return super().alter_object(obj, request, url_args, url_kwargs)

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if dropped := getattr(self.fabric, 'dropped_credentials', None):
            messages.warning(request, _(
                'Removed the stored {credentials}: this edit changed where they would be sent. Enter them again '
                'if the new destination should have them.'
            ).format(credentials=', '.join(dropped)))
        return response


@register_model_view(Fabric, 'delete')
class FabricDeleteView(generic.ObjectDeleteView):
    """Deletes in bulk (see Fabric.delete) and says how a sync of the fabric was handled; the confirmation lists how
    many objects go with the fabric, not each of them."""
    queryset = Fabric.objects.all()

    def _get_dependent_objects(self, obj):
        related = [(kind_spec.model, kind_spec.model.objects.filter(fabric=obj)) for kind_spec in KINDS]
        related.append((SyncRun, SyncRun.objects.filter(fabric=obj)))
        return {model: CountOnly(count) for model, queryset in related if (count := queryset.count())}

    def get_object(self, **kwargs):
        self.fabric = super().get_object(**kwargs)
        return self.fabric

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if note := getattr(self.fabric, 'deletion_note', ''):
            messages.info(request, note)
        return response


@register_model_view(Fabric, 'bulk_import', path='import', detail=False)
class FabricBulkImportView(generic.BulkImportView):
    queryset = Fabric.objects.all()
    model_form = forms.FabricImportForm


@register_model_view(Fabric, 'bulk_edit', path='edit', detail=False)
class FabricBulkEditView(generic.BulkEditView):
    queryset = Fabric.objects.all()
    filterset = filtersets.FabricFilterSet
    table = tables.FabricTable
    form = forms.FabricBulkEditForm


@register_model_view(Fabric, 'bulk_delete', path='delete', detail=False)
class FabricBulkDeleteView(generic.BulkDeleteView):
    queryset = Fabric.objects.all()
    filterset = filtersets.FabricFilterSet
    table = tables.FabricTable


#
# VLAN namespaces
#

@register_model_view(VLANNamespace, 'list', path='', detail=False)
class VLANNamespaceListView(generic.ObjectListView):
    queryset = VLANNamespace.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.VLANNamespaceFilterSet
    filterset_form = forms.VLANNamespaceFilterForm
    table = tables.VLANNamespaceTable


@register_model_view(VLANNamespace)
class VLANNamespaceView(generic.ObjectView):
    queryset = VLANNamespace.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'vlannamespace',
        panels.VLANNamespacePanel(),
        related_panels=[
            referring_objects('switch', 'vlan_namespace', _('Switches')),
            referring_objects('vpc', 'vlan_namespace', _('VPCs')),
        ],
    )


@register_model_view(VLANNamespace, 'add', detail=False)
@register_model_view(VLANNamespace, 'edit')
class VLANNamespaceEditView(generic.ObjectEditView):
    queryset = VLANNamespace.objects.all()
    form = forms.VLANNamespaceForm


@register_model_view(VLANNamespace, 'delete')
class VLANNamespaceDeleteView(generic.ObjectDeleteView):
    queryset = VLANNamespace.objects.all()


@register_model_view(VLANNamespace, 'bulk_import', path='import', detail=False)
class VLANNamespaceBulkImportView(generic.BulkImportView):
    queryset = VLANNamespace.objects.all()
    model_form = forms.VLANNamespaceImportForm


@register_model_view(VLANNamespace, 'bulk_edit', path='edit', detail=False)
class VLANNamespaceBulkEditView(ResourceBulkEditView):
    queryset = VLANNamespace.objects.select_related('fabric')
    filterset = filtersets.VLANNamespaceFilterSet
    table = tables.VLANNamespaceTable
    form = forms.VLANNamespaceBulkEditForm


@register_model_view(VLANNamespace, 'bulk_delete', path='delete', detail=False)
class VLANNamespaceBulkDeleteView(generic.BulkDeleteView):
    queryset = VLANNamespace.objects.select_related('fabric')
    filterset = filtersets.VLANNamespaceFilterSet
    table = tables.VLANNamespaceTable


#
# Switch groups
#

@register_model_view(SwitchGroup, 'list', path='', detail=False)
class SwitchGroupListView(generic.ObjectListView):
    queryset = SwitchGroup.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.SwitchGroupFilterSet
    filterset_form = forms.SwitchGroupFilterForm
    table = tables.SwitchGroupTable


@register_model_view(SwitchGroup)
class SwitchGroupView(generic.ObjectView):
    queryset = SwitchGroup.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'switchgroup',
        panels.HedgehogResourcePanel(),
        related_panels=[
            referring_objects('switch', 'group', _('Switches')),
        ],
    )


@register_model_view(SwitchGroup, 'add', detail=False)
@register_model_view(SwitchGroup, 'edit')
class SwitchGroupEditView(generic.ObjectEditView):
    queryset = SwitchGroup.objects.all()
    form = forms.SwitchGroupForm


@register_model_view(SwitchGroup, 'delete')
class SwitchGroupDeleteView(generic.ObjectDeleteView):
    queryset = SwitchGroup.objects.all()


@register_model_view(SwitchGroup, 'bulk_import', path='import', detail=False)
class SwitchGroupBulkImportView(generic.BulkImportView):
    queryset = SwitchGroup.objects.all()
    model_form = forms.SwitchGroupImportForm


@register_model_view(SwitchGroup, 'bulk_edit', path='edit', detail=False)
class SwitchGroupBulkEditView(ResourceBulkEditView):
    queryset = SwitchGroup.objects.select_related('fabric')
    filterset = filtersets.SwitchGroupFilterSet
    table = tables.SwitchGroupTable
    form = forms.SwitchGroupBulkEditForm


@register_model_view(SwitchGroup, 'bulk_delete', path='delete', detail=False)
class SwitchGroupBulkDeleteView(generic.BulkDeleteView):
    queryset = SwitchGroup.objects.select_related('fabric')
    filterset = filtersets.SwitchGroupFilterSet
    table = tables.SwitchGroupTable


#
# Switch profiles: owned by the fabric controller, so NetBox only lists and shows them.
#

@register_model_view(SwitchProfile, 'list', path='', detail=False)
class SwitchProfileListView(generic.ObjectListView):
    queryset = SwitchProfile.objects.select_related('fabric').prefetch_related('tags')
    filterset = filtersets.SwitchProfileFilterSet
    filterset_form = forms.SwitchProfileFilterForm
    table = tables.SwitchProfileTable
    actions = (BulkExport,)


@register_model_view(SwitchProfile)
class SwitchProfileView(generic.ObjectView):
    queryset = SwitchProfile.objects.select_related('fabric')
    template_name = 'generic/object.html'
    actions = ()
    layout = resource_layout(
        'switchprofile',
        panels.SwitchProfilePanel(),
        related_panels=[
            referring_objects('switch', 'profile', _('Switches')),
        ],
    )


#
# Switches
#

@register_model_view(Switch, 'list', path='', detail=False)
class SwitchListView(generic.ObjectListView):
    queryset = Switch.objects.select_related('fabric', 'live_state').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.SwitchFilterSet
    filterset_form = forms.SwitchFilterForm
    table = tables.SwitchTable


@register_model_view(Switch)
class SwitchView(generic.ObjectView):
    queryset = Switch.objects.select_related('fabric', 'live_state')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'switch',
        panels.SwitchPanel(),
        right_panels=[
            live_panels.SwitchLivePanel(),
        ],
        related_panels=[
            panels.PortMapPanel(),
            live_panels.SwitchPortsPanel(),
            live_panels.DrawingPanel(title=_('Neighbourhood')),
            referring_objects('connection', 'switch', _('Connections')),
        ],
    )


@register_model_view(Switch, 'add', detail=False)
@register_model_view(Switch, 'edit')
class SwitchEditView(generic.ObjectEditView):
    queryset = Switch.objects.all()
    form = forms.SwitchForm


@register_model_view(Switch, 'delete')
class SwitchDeleteView(generic.ObjectDeleteView):
    queryset = Switch.objects.all()


@register_model_view(Switch, 'bulk_import', path='import', detail=False)
class SwitchBulkImportView(generic.BulkImportView):
    queryset = Switch.objects.all()
    model_form = forms.SwitchImportForm


@register_model_view(Switch, 'bulk_edit', path='edit', detail=False)
class SwitchBulkEditView(ResourceBulkEditView):
    queryset = Switch.objects.select_related('fabric')
    filterset = filtersets.SwitchFilterSet
    table = tables.SwitchTable
    form = forms.SwitchBulkEditForm


@register_model_view(Switch, 'bulk_delete', path='delete', detail=False)
class SwitchBulkDeleteView(generic.BulkDeleteView):
    queryset = Switch.objects.select_related('fabric')
    filterset = filtersets.SwitchFilterSet
    table = tables.SwitchTable


#
# Servers
#

@register_model_view(Server, 'list', path='', detail=False)
class ServerListView(generic.ObjectListView):
    queryset = Server.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.ServerFilterSet
    filterset_form = forms.ServerFilterForm
    table = tables.ServerTable


@register_model_view(Server)
class ServerView(generic.ObjectView):
    queryset = Server.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'server',
        panels.ServerPanel(),
        related_panels=[
            panels.PortMapPanel(),
            referring_objects('connection', 'server', _('Connections')),
        ],
    )


@register_model_view(Server, 'add', detail=False)
@register_model_view(Server, 'edit')
class ServerEditView(generic.ObjectEditView):
    queryset = Server.objects.all()
    form = forms.ServerForm


@register_model_view(Server, 'delete')
class ServerDeleteView(generic.ObjectDeleteView):
    queryset = Server.objects.all()


@register_model_view(Server, 'bulk_import', path='import', detail=False)
class ServerBulkImportView(generic.BulkImportView):
    queryset = Server.objects.all()
    model_form = forms.ServerImportForm


@register_model_view(Server, 'bulk_edit', path='edit', detail=False)
class ServerBulkEditView(ResourceBulkEditView):
    queryset = Server.objects.select_related('fabric')
    filterset = filtersets.ServerFilterSet
    table = tables.ServerTable
    form = forms.ServerBulkEditForm


@register_model_view(Server, 'bulk_delete', path='delete', detail=False)
class ServerBulkDeleteView(generic.BulkDeleteView):
    queryset = Server.objects.select_related('fabric')
    filterset = filtersets.ServerFilterSet
    table = tables.ServerTable


#
# Connections
#

@register_model_view(Connection, 'list', path='', detail=False)
class ConnectionListView(generic.ObjectListView):
    queryset = Connection.objects.select_related('fabric').prefetch_related('tags', 'link_checks')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.ConnectionFilterSet
    filterset_form = forms.ConnectionFilterForm
    table = tables.ConnectionTable


@register_model_view(Connection)
class ConnectionView(generic.ObjectView):
    queryset = Connection.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'connection',
        panels.ConnectionPanel(),
        right_panels=[
            panels.ConnectionEndpointsPanel(),
            live_panels.ConnectionCablingPanel(),
        ],
        related_panels=[
            referring_objects('vpcattachment', 'connection', _('VPC Attachments')),
            referring_objects('externalattachment', 'connection', _('External Attachments')),
        ],
    )


@register_model_view(Connection, 'add', detail=False)
@register_model_view(Connection, 'edit')
class ConnectionEditView(generic.ObjectEditView):
    queryset = Connection.objects.all()
    form = forms.ConnectionForm


@register_model_view(Connection, 'delete')
class ConnectionDeleteView(generic.ObjectDeleteView):
    queryset = Connection.objects.all()


@register_model_view(Connection, 'bulk_import', path='import', detail=False)
class ConnectionBulkImportView(generic.BulkImportView):
    queryset = Connection.objects.all()
    model_form = forms.ConnectionImportForm


@register_model_view(Connection, 'bulk_edit', path='edit', detail=False)
class ConnectionBulkEditView(ResourceBulkEditView):
    queryset = Connection.objects.select_related('fabric')
    filterset = filtersets.ConnectionFilterSet
    table = tables.ConnectionTable
    form = forms.ConnectionBulkEditForm


@register_model_view(Connection, 'bulk_delete', path='delete', detail=False)
class ConnectionBulkDeleteView(generic.BulkDeleteView):
    queryset = Connection.objects.select_related('fabric')
    filterset = filtersets.ConnectionFilterSet
    table = tables.ConnectionTable


#
# IPv4 namespaces
#

@register_model_view(IPv4Namespace, 'list', path='', detail=False)
class IPv4NamespaceListView(generic.ObjectListView):
    queryset = IPv4Namespace.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.IPv4NamespaceFilterSet
    filterset_form = forms.IPv4NamespaceFilterForm
    table = tables.IPv4NamespaceTable


@register_model_view(IPv4Namespace)
class IPv4NamespaceView(generic.ObjectView):
    queryset = IPv4Namespace.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'ipv4namespace',
        panels.IPv4NamespacePanel(),
        related_panels=[
            referring_objects('vpc', 'ipv4_namespace', _('VPCs')),
            referring_objects('external', 'ipv4_namespace', _('Externals')),
        ],
    )


@register_model_view(IPv4Namespace, 'add', detail=False)
@register_model_view(IPv4Namespace, 'edit')
class IPv4NamespaceEditView(generic.ObjectEditView):
    queryset = IPv4Namespace.objects.all()
    form = forms.IPv4NamespaceForm


@register_model_view(IPv4Namespace, 'delete')
class IPv4NamespaceDeleteView(generic.ObjectDeleteView):
    queryset = IPv4Namespace.objects.all()


@register_model_view(IPv4Namespace, 'bulk_import', path='import', detail=False)
class IPv4NamespaceBulkImportView(generic.BulkImportView):
    queryset = IPv4Namespace.objects.all()
    model_form = forms.IPv4NamespaceImportForm


@register_model_view(IPv4Namespace, 'bulk_edit', path='edit', detail=False)
class IPv4NamespaceBulkEditView(ResourceBulkEditView):
    queryset = IPv4Namespace.objects.select_related('fabric')
    filterset = filtersets.IPv4NamespaceFilterSet
    table = tables.IPv4NamespaceTable
    form = forms.IPv4NamespaceBulkEditForm


@register_model_view(IPv4Namespace, 'bulk_delete', path='delete', detail=False)
class IPv4NamespaceBulkDeleteView(generic.BulkDeleteView):
    queryset = IPv4Namespace.objects.select_related('fabric')
    filterset = filtersets.IPv4NamespaceFilterSet
    table = tables.IPv4NamespaceTable


#
# VPCs
#

@register_model_view(VPC, 'list', path='', detail=False)
class VPCListView(generic.ObjectListView):
    queryset = VPC.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.VPCFilterSet
    filterset_form = forms.VPCFilterForm
    table = tables.VPCTable


@register_model_view(VPC)
class VPCView(generic.ObjectView):
    queryset = VPC.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'vpc',
        panels.VPCPanel(),
        related_panels=[
            referring_objects('vpcattachment', 'vpc', _('VPC Attachments')),
            referring_objects('vpcpeering', 'vpc', _('VPC Peerings')),
            referring_objects('externalpeering', 'vpc', _('External Peerings')),
        ],
    )


@register_model_view(VPC, 'add', detail=False)
@register_model_view(VPC, 'edit')
class VPCEditView(generic.ObjectEditView):
    queryset = VPC.objects.all()
    form = forms.VPCForm


@register_model_view(VPC, 'delete')
class VPCDeleteView(generic.ObjectDeleteView):
    queryset = VPC.objects.all()


@register_model_view(VPC, 'bulk_import', path='import', detail=False)
class VPCBulkImportView(generic.BulkImportView):
    queryset = VPC.objects.all()
    model_form = forms.VPCImportForm


@register_model_view(VPC, 'bulk_edit', path='edit', detail=False)
class VPCBulkEditView(ResourceBulkEditView):
    queryset = VPC.objects.select_related('fabric')
    filterset = filtersets.VPCFilterSet
    table = tables.VPCTable
    form = forms.VPCBulkEditForm


@register_model_view(VPC, 'bulk_delete', path='delete', detail=False)
class VPCBulkDeleteView(generic.BulkDeleteView):
    queryset = VPC.objects.select_related('fabric')
    filterset = filtersets.VPCFilterSet
    table = tables.VPCTable


#
# VPC attachments
#

@register_model_view(VPCAttachment, 'list', path='', detail=False)
class VPCAttachmentListView(generic.ObjectListView):
    queryset = VPCAttachment.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.VPCAttachmentFilterSet
    filterset_form = forms.VPCAttachmentFilterForm
    table = tables.VPCAttachmentTable


@register_model_view(VPCAttachment)
class VPCAttachmentView(generic.ObjectView):
    queryset = VPCAttachment.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout('vpcattachment', panels.VPCAttachmentPanel())


@register_model_view(VPCAttachment, 'add', detail=False)
@register_model_view(VPCAttachment, 'edit')
class VPCAttachmentEditView(generic.ObjectEditView):
    queryset = VPCAttachment.objects.all()
    form = forms.VPCAttachmentForm


@register_model_view(VPCAttachment, 'delete')
class VPCAttachmentDeleteView(generic.ObjectDeleteView):
    queryset = VPCAttachment.objects.all()


@register_model_view(VPCAttachment, 'bulk_import', path='import', detail=False)
class VPCAttachmentBulkImportView(generic.BulkImportView):
    queryset = VPCAttachment.objects.all()
    model_form = forms.VPCAttachmentImportForm


@register_model_view(VPCAttachment, 'bulk_edit', path='edit', detail=False)
class VPCAttachmentBulkEditView(ResourceBulkEditView):
    queryset = VPCAttachment.objects.select_related('fabric')
    filterset = filtersets.VPCAttachmentFilterSet
    table = tables.VPCAttachmentTable
    form = forms.VPCAttachmentBulkEditForm


@register_model_view(VPCAttachment, 'bulk_delete', path='delete', detail=False)
class VPCAttachmentBulkDeleteView(generic.BulkDeleteView):
    queryset = VPCAttachment.objects.select_related('fabric')
    filterset = filtersets.VPCAttachmentFilterSet
    table = tables.VPCAttachmentTable


#
# VPC peerings
#

@register_model_view(VPCPeering, 'list', path='', detail=False)
class VPCPeeringListView(generic.ObjectListView):
    queryset = VPCPeering.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.VPCPeeringFilterSet
    filterset_form = forms.VPCPeeringFilterForm
    table = tables.VPCPeeringTable


@register_model_view(VPCPeering)
class VPCPeeringView(generic.ObjectView):
    queryset = VPCPeering.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout('vpcpeering', panels.VPCPeeringPanel())


@register_model_view(VPCPeering, 'add', detail=False)
@register_model_view(VPCPeering, 'edit')
class VPCPeeringEditView(generic.ObjectEditView):
    queryset = VPCPeering.objects.all()
    form = forms.VPCPeeringForm


@register_model_view(VPCPeering, 'delete')
class VPCPeeringDeleteView(generic.ObjectDeleteView):
    queryset = VPCPeering.objects.all()


@register_model_view(VPCPeering, 'bulk_import', path='import', detail=False)
class VPCPeeringBulkImportView(generic.BulkImportView):
    queryset = VPCPeering.objects.all()
    model_form = forms.VPCPeeringImportForm


@register_model_view(VPCPeering, 'bulk_edit', path='edit', detail=False)
class VPCPeeringBulkEditView(ResourceBulkEditView):
    queryset = VPCPeering.objects.select_related('fabric')
    filterset = filtersets.VPCPeeringFilterSet
    table = tables.VPCPeeringTable
    form = forms.VPCPeeringBulkEditForm


@register_model_view(VPCPeering, 'bulk_delete', path='delete', detail=False)
class VPCPeeringBulkDeleteView(generic.BulkDeleteView):
    queryset = VPCPeering.objects.select_related('fabric')
    filterset = filtersets.VPCPeeringFilterSet
    table = tables.VPCPeeringTable


#
# Externals
#

@register_model_view(External, 'list', path='', detail=False)
class ExternalListView(generic.ObjectListView):
    queryset = External.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.ExternalFilterSet
    filterset_form = forms.ExternalFilterForm
    table = tables.ExternalTable


@register_model_view(External)
class ExternalView(generic.ObjectView):
    queryset = External.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'external',
        panels.ExternalPanel(),
        related_panels=[
            referring_objects('externalattachment', 'external', _('External Attachments')),
            referring_objects('externalpeering', 'external', _('External Peerings')),
        ],
    )


@register_model_view(External, 'add', detail=False)
@register_model_view(External, 'edit')
class ExternalEditView(generic.ObjectEditView):
    queryset = External.objects.all()
    form = forms.ExternalForm


@register_model_view(External, 'delete')
class ExternalDeleteView(generic.ObjectDeleteView):
    queryset = External.objects.all()


@register_model_view(External, 'bulk_import', path='import', detail=False)
class ExternalBulkImportView(generic.BulkImportView):
    queryset = External.objects.all()
    model_form = forms.ExternalImportForm


@register_model_view(External, 'bulk_edit', path='edit', detail=False)
class ExternalBulkEditView(ResourceBulkEditView):
    queryset = External.objects.select_related('fabric')
    filterset = filtersets.ExternalFilterSet
    table = tables.ExternalTable
    form = forms.ExternalBulkEditForm


@register_model_view(External, 'bulk_delete', path='delete', detail=False)
class ExternalBulkDeleteView(generic.BulkDeleteView):
    queryset = External.objects.select_related('fabric')
    filterset = filtersets.ExternalFilterSet
    table = tables.ExternalTable


#
# External attachments
#

@register_model_view(ExternalAttachment, 'list', path='', detail=False)
class ExternalAttachmentListView(generic.ObjectListView):
    queryset = ExternalAttachment.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.ExternalAttachmentFilterSet
    filterset_form = forms.ExternalAttachmentFilterForm
    table = tables.ExternalAttachmentTable


@register_model_view(ExternalAttachment)
class ExternalAttachmentView(generic.ObjectView):
    queryset = ExternalAttachment.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout('externalattachment', panels.ExternalAttachmentPanel())


@register_model_view(ExternalAttachment, 'add', detail=False)
@register_model_view(ExternalAttachment, 'edit')
class ExternalAttachmentEditView(generic.ObjectEditView):
    queryset = ExternalAttachment.objects.all()
    form = forms.ExternalAttachmentForm


@register_model_view(ExternalAttachment, 'delete')
class ExternalAttachmentDeleteView(generic.ObjectDeleteView):
    queryset = ExternalAttachment.objects.all()


@register_model_view(ExternalAttachment, 'bulk_import', path='import', detail=False)
class ExternalAttachmentBulkImportView(generic.BulkImportView):
    queryset = ExternalAttachment.objects.all()
    model_form = forms.ExternalAttachmentImportForm


@register_model_view(ExternalAttachment, 'bulk_edit', path='edit', detail=False)
class ExternalAttachmentBulkEditView(ResourceBulkEditView):
    queryset = ExternalAttachment.objects.select_related('fabric')
    filterset = filtersets.ExternalAttachmentFilterSet
    table = tables.ExternalAttachmentTable
    form = forms.ExternalAttachmentBulkEditForm


@register_model_view(ExternalAttachment, 'bulk_delete', path='delete', detail=False)
class ExternalAttachmentBulkDeleteView(generic.BulkDeleteView):
    queryset = ExternalAttachment.objects.select_related('fabric')
    filterset = filtersets.ExternalAttachmentFilterSet
    table = tables.ExternalAttachmentTable


#
# External peerings
#

@register_model_view(ExternalPeering, 'list', path='', detail=False)
class ExternalPeeringListView(generic.ObjectListView):
    queryset = ExternalPeering.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.ExternalPeeringFilterSet
    filterset_form = forms.ExternalPeeringFilterForm
    table = tables.ExternalPeeringTable


@register_model_view(ExternalPeering)
class ExternalPeeringView(generic.ObjectView):
    queryset = ExternalPeering.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout('externalpeering', panels.ExternalPeeringPanel())


@register_model_view(ExternalPeering, 'add', detail=False)
@register_model_view(ExternalPeering, 'edit')
class ExternalPeeringEditView(generic.ObjectEditView):
    queryset = ExternalPeering.objects.all()
    form = forms.ExternalPeeringForm


@register_model_view(ExternalPeering, 'delete')
class ExternalPeeringDeleteView(generic.ObjectDeleteView):
    queryset = ExternalPeering.objects.all()


@register_model_view(ExternalPeering, 'bulk_import', path='import', detail=False)
class ExternalPeeringBulkImportView(generic.BulkImportView):
    queryset = ExternalPeering.objects.all()
    model_form = forms.ExternalPeeringImportForm


@register_model_view(ExternalPeering, 'bulk_edit', path='edit', detail=False)
class ExternalPeeringBulkEditView(ResourceBulkEditView):
    queryset = ExternalPeering.objects.select_related('fabric')
    filterset = filtersets.ExternalPeeringFilterSet
    table = tables.ExternalPeeringTable
    form = forms.ExternalPeeringBulkEditForm


@register_model_view(ExternalPeering, 'bulk_delete', path='delete', detail=False)
class ExternalPeeringBulkDeleteView(generic.BulkDeleteView):
    queryset = ExternalPeering.objects.select_related('fabric')
    filterset = filtersets.ExternalPeeringFilterSet
    table = tables.ExternalPeeringTable


#
# Gateway groups
#

@register_model_view(GatewayGroup, 'list', path='', detail=False)
class GatewayGroupListView(generic.ObjectListView):
    queryset = GatewayGroup.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.GatewayGroupFilterSet
    filterset_form = forms.GatewayGroupFilterForm
    table = tables.GatewayGroupTable


@register_model_view(GatewayGroup)
class GatewayGroupView(generic.ObjectView):
    queryset = GatewayGroup.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'gatewaygroup',
        panels.HedgehogResourcePanel(),
        related_panels=[
            referring_objects('gateway', 'group', _('Gateways')),
            referring_objects('gatewaypeering', 'gateway_group', _('Gateway peerings')),
        ],
    )


@register_model_view(GatewayGroup, 'add', detail=False)
@register_model_view(GatewayGroup, 'edit')
class GatewayGroupEditView(generic.ObjectEditView):
    queryset = GatewayGroup.objects.all()
    form = forms.GatewayGroupForm


@register_model_view(GatewayGroup, 'delete')
class GatewayGroupDeleteView(generic.ObjectDeleteView):
    queryset = GatewayGroup.objects.all()


@register_model_view(GatewayGroup, 'bulk_import', path='import', detail=False)
class GatewayGroupBulkImportView(generic.BulkImportView):
    queryset = GatewayGroup.objects.all()
    model_form = forms.GatewayGroupImportForm


@register_model_view(GatewayGroup, 'bulk_edit', path='edit', detail=False)
class GatewayGroupBulkEditView(ResourceBulkEditView):
    queryset = GatewayGroup.objects.select_related('fabric')
    filterset = filtersets.GatewayGroupFilterSet
    table = tables.GatewayGroupTable
    form = forms.GatewayGroupBulkEditForm


@register_model_view(GatewayGroup, 'bulk_delete', path='delete', detail=False)
class GatewayGroupBulkDeleteView(generic.BulkDeleteView):
    queryset = GatewayGroup.objects.select_related('fabric')
    filterset = filtersets.GatewayGroupFilterSet
    table = tables.GatewayGroupTable


#
# Gateways
#

@register_model_view(Gateway, 'list', path='', detail=False)
class GatewayListView(generic.ObjectListView):
    queryset = Gateway.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.GatewayFilterSet
    filterset_form = forms.GatewayFilterForm
    table = tables.GatewayTable


@register_model_view(Gateway)
class GatewayView(generic.ObjectView):
    queryset = Gateway.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout(
        'gateway',
        panels.GatewayPanel(),
        related_panels=[
            referring_objects('connection', 'gateway', _('Connections')),
        ],
    )


@register_model_view(Gateway, 'add', detail=False)
@register_model_view(Gateway, 'edit')
class GatewayEditView(generic.ObjectEditView):
    queryset = Gateway.objects.all()
    form = forms.GatewayForm


@register_model_view(Gateway, 'delete')
class GatewayDeleteView(generic.ObjectDeleteView):
    queryset = Gateway.objects.all()


@register_model_view(Gateway, 'bulk_import', path='import', detail=False)
class GatewayBulkImportView(generic.BulkImportView):
    queryset = Gateway.objects.all()
    model_form = forms.GatewayImportForm


@register_model_view(Gateway, 'bulk_edit', path='edit', detail=False)
class GatewayBulkEditView(ResourceBulkEditView):
    queryset = Gateway.objects.select_related('fabric')
    filterset = filtersets.GatewayFilterSet
    table = tables.GatewayTable
    form = forms.GatewayBulkEditForm


@register_model_view(Gateway, 'bulk_delete', path='delete', detail=False)
class GatewayBulkDeleteView(generic.BulkDeleteView):
    queryset = Gateway.objects.select_related('fabric')
    filterset = filtersets.GatewayFilterSet
    table = tables.GatewayTable


#
# Gateway peerings
#

@register_model_view(GatewayPeering, 'list', path='', detail=False)
class GatewayPeeringListView(generic.ObjectListView):
    queryset = GatewayPeering.objects.select_related('fabric').prefetch_related('tags')
    actions = RESOURCE_LIST_ACTIONS
    filterset = filtersets.GatewayPeeringFilterSet
    filterset_form = forms.GatewayPeeringFilterForm
    table = tables.GatewayPeeringTable


@register_model_view(GatewayPeering)
class GatewayPeeringView(generic.ObjectView):
    queryset = GatewayPeering.objects.select_related('fabric')
    actions = RESOURCE_ACTIONS
    template_name = 'generic/object.html'
    layout = resource_layout('gatewaypeering', panels.GatewayPeeringPanel())


@register_model_view(GatewayPeering, 'add', detail=False)
@register_model_view(GatewayPeering, 'edit')
class GatewayPeeringEditView(generic.ObjectEditView):
    queryset = GatewayPeering.objects.all()
    form = forms.GatewayPeeringForm


@register_model_view(GatewayPeering, 'delete')
class GatewayPeeringDeleteView(generic.ObjectDeleteView):
    queryset = GatewayPeering.objects.all()


@register_model_view(GatewayPeering, 'bulk_import', path='import', detail=False)
class GatewayPeeringBulkImportView(generic.BulkImportView):
    queryset = GatewayPeering.objects.all()
    model_form = forms.GatewayPeeringImportForm


@register_model_view(GatewayPeering, 'bulk_edit', path='edit', detail=False)
class GatewayPeeringBulkEditView(ResourceBulkEditView):
    queryset = GatewayPeering.objects.select_related('fabric')
    filterset = filtersets.GatewayPeeringFilterSet
    table = tables.GatewayPeeringTable
    form = forms.GatewayPeeringBulkEditForm


@register_model_view(GatewayPeering, 'bulk_delete', path='delete', detail=False)
class GatewayPeeringBulkDeleteView(generic.BulkDeleteView):
    queryset = GatewayPeering.objects.select_related('fabric')
    filterset = filtersets.GatewayPeeringFilterSet
    table = tables.GatewayPeeringTable


#
# Sync: buttons and history
#

def _sync_target(request, pk):
    fabric = get_object_or_404(Fabric.objects.restrict(request.user, 'view'), pk=pk)
    if not request.user.has_perm('netbox_hedgehog.sync_fabric', fabric):
        raise PermissionDenied(_('You may not sync this fabric.'))
    return fabric


def _queue_sync(request, fabric, dry_run):
    """Queue a sync from the UI and tell the person what happened, in plain words."""
    try:
        result = scheduling.enqueue_sync(fabric, SyncTriggerChoices.MANUAL, user=request.user, dry_run=dry_run)
    except scheduling.QueueUnavailable as e:
        messages.error(request, str(e))
        return
    (messages.success if result.created else messages.info)(request, result.message)


@register_model_view(Fabric, 'sync', path='sync')
class FabricSyncView(LoginRequiredMixin, View):
    """"Sync now": queue a sync on the "high" queue (or point at the one already queued or running)."""
    dry_run = False

    def post(self, request, pk):
        fabric = _sync_target(request, pk)
        _queue_sync(request, fabric, self.dry_run)
        return redirect(fabric.get_absolute_url())


@register_model_view(Fabric, 'dry_run', path='dry-run')
class FabricDryRunView(FabricSyncView):
    """Queue a dry run: the plan is computed and recorded, nothing is written."""
    dry_run = True


@register_model_view(Fabric, 'test_connection', path='test-connection')
class FabricTestConnectionView(LoginRequiredMixin, View):
    """Reach the API server, authenticate and list each kind, now; the result is stored and shown."""

    def post(self, request, pk):
        fabric = _sync_target(request, pk)
        report = check_connection(fabric)
        (messages.success if report.ok else messages.error)(request, report.message)
        return redirect(fabric.get_absolute_url())


@register_model_view(Fabric, 'sync_activity', path='sync-activity')
class FabricSyncActivityView(LoginRequiredMixin, View):
    """The sync activity panel alone, polled by the fabric page while a sync is queued or running."""

    def get(self, request, pk):
        fabric = get_object_or_404(Fabric.objects.restrict(request.user, 'view'), pk=pk)
        context = {'object': fabric, **panels.sync_activity_context(fabric)}
        response = render(request, 'netbox_hedgehog/inc/sync_activity.html', context)
        if request.GET.get('watching') and context['active_run'] is None:
            # The watched sync has ended: reload the page so every panel (status, counts) shows its outcome.
            response['HX-Refresh'] = 'true'
        return response


@register_model_view(Fabric, 'bulk_sync', path='sync', detail=False)
class FabricBulkSyncView(LoginRequiredMixin, View):
    """"Sync selected" on the fabric list."""

    def post(self, request):
        return_url = request.GET.get('return_url') or reverse('plugins:netbox_hedgehog:fabric_list')
        if not url_has_allowed_host_and_scheme(return_url, allowed_hosts=None):
            return_url = reverse('plugins:netbox_hedgehog:fabric_list')
        selected = Fabric.objects.restrict(request.user, 'sync').filter(pk__in=request.POST.getlist('pk'))
        if not selected:
            messages.warning(request, _('No fabric you may sync was selected.'))
        for fabric in selected:
            _queue_sync(request, fabric, dry_run=False)
        return redirect(return_url)


@register_model_view(SyncRun, 'list', path='', detail=False)
class SyncRunListView(generic.ObjectListView):
    queryset = SyncRun.objects.select_related('fabric', 'user')
    filterset = filtersets.SyncRunFilterSet
    filterset_form = forms.SyncRunFilterForm
    table = tables.SyncRunTable
    actions = (BulkExport,)


@register_model_view(SyncRun)
class SyncRunView(generic.ObjectView):
    queryset = SyncRun.objects.select_related('fabric', 'user')
    template_name = 'generic/object.html'
    actions = ()
    layout = layout.SimpleLayout(
        left_panels=[panels.SyncRunPanel()],
        right_panels=[panels.SyncRunCountsPanel()],
        bottom_panels=[
            panels.SyncChangesPanel(),
            TextCodePanel('log', title=_('Log')),
        ],
    )
