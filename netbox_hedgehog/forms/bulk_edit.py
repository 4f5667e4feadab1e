import re

from django import forms
from django.utils.translation import gettext_lazy as _
from netbox.forms import NetBoxModelBulkEditForm, PrimaryModelBulkEditForm
from utilities.forms import add_blank_choice
from utilities.forms.fields import ChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect

from netbox_hedgehog import MIN_TIMING_SETTING, k8s_names
from netbox_hedgehog.choices import FabricStatusChoices, WriteModeChoices
from netbox_hedgehog.models import (
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
    VLANNamespace,
    VPCAttachment,
    VPCPeering,
)

__all__ = (
    'ConnectionBulkEditForm',
    'ExternalAttachmentBulkEditForm',
    'ExternalBulkEditForm',
    'ExternalPeeringBulkEditForm',
    'FabricBulkEditForm',
    'GatewayBulkEditForm',
    'GatewayPeeringBulkEditForm',
    'GatewayGroupBulkEditForm',
    'HedgehogResourceBulkEditForm',
    'IPv4NamespaceBulkEditForm',
    'ServerBulkEditForm',
    'SwitchBulkEditForm',
    'SwitchGroupBulkEditForm',
    'VLANNamespaceBulkEditForm',
    'VPCAttachmentBulkEditForm',
    'VPCBulkEditForm',
    'VPCPeeringBulkEditForm',
)


class FabricBulkEditForm(PrimaryModelBulkEditForm):
    status = ChoiceField(label=_('Status'), choices=add_blank_choice(FabricStatusChoices), required=False)
    write_mode = ChoiceField(label=_('Write mode'), choices=add_blank_choice(WriteModeChoices), required=False)
    kubernetes_namespace = forms.CharField(label=_('Namespace'), max_length=63, required=False)
    verify_tls = forms.NullBooleanField(label=_('Verify TLS'), required=False, widget=BulkEditNullBooleanSelect())
    sync_enabled = forms.NullBooleanField(
        label=_('Scheduled sync'), required=False, widget=BulkEditNullBooleanSelect()
    )
    sync_interval = forms.IntegerField(
        label=_('Sync interval'), min_value=MIN_TIMING_SETTING, required=False, help_text=_('Seconds')
    )

    model = Fabric
    fieldsets = (
        FieldSet('status', 'write_mode', 'description', name=_('Fabric')),
        FieldSet('kubernetes_namespace', 'verify_tls', name=_('Kubernetes')),
        FieldSet('sync_enabled', 'sync_interval', name=_('Sync')),
    )
    nullable_fields = ('description', 'comments')


# The Hedgehog objects take tags and labels in bulk; everything else lives in each object's spec.

class HedgehogResourceBulkEditForm(NetBoxModelBulkEditForm):
    """Adds, changes or removes Kubernetes labels of every selected object (applied by the bulk edit view through
    `apply_labels`)."""
    set_labels = forms.CharField(
        label=_('Set labels'), required=False, widget=forms.Textarea(attrs={'rows': 3, 'class': 'font-monospace'}),
        help_text=_('One key=value per line (or comma-separated): added, or changed where the object has the key'),
    )
    remove_labels = forms.CharField(
        label=_('Remove labels'), required=False, help_text=_('Label keys, comma-separated'),
    )
    fieldsets = (
        FieldSet('set_labels', 'remove_labels', name=_('Labels')),
    )

    def clean_set_labels(self):
        labels = {}
        for item in re.split(r'[,\n]', self.cleaned_data['set_labels']):
            if not item.strip():
                continue
            key, equals, value = item.strip().partition('=')
            if not equals:
                raise forms.ValidationError(_('{item!r} is not key=value.').format(item=item.strip()))
            if problem := k8s_names.label_problem(key.strip(), value.strip()):
                raise forms.ValidationError(problem)
            labels[key.strip()] = value.strip()
        return labels

    def clean_remove_labels(self):
        return [key.strip() for key in self.cleaned_data['remove_labels'].split(',') if key.strip()]

    def apply_labels(self, obj):
        """Change `obj`'s labels as the form says."""
        labels = {**(obj.labels or {}), **self.cleaned_data.get('set_labels', {})}
        for key in self.cleaned_data.get('remove_labels', []):
            labels.pop(key, None)
        obj.labels = labels


class VLANNamespaceBulkEditForm(HedgehogResourceBulkEditForm):
    model = VLANNamespace


class SwitchGroupBulkEditForm(HedgehogResourceBulkEditForm):
    model = SwitchGroup


class SwitchBulkEditForm(HedgehogResourceBulkEditForm):
    model = Switch


class ServerBulkEditForm(HedgehogResourceBulkEditForm):
    model = Server


class ConnectionBulkEditForm(HedgehogResourceBulkEditForm):
    model = Connection


class IPv4NamespaceBulkEditForm(HedgehogResourceBulkEditForm):
    model = IPv4Namespace


class VPCBulkEditForm(HedgehogResourceBulkEditForm):
    model = VPC


class VPCAttachmentBulkEditForm(HedgehogResourceBulkEditForm):
    model = VPCAttachment


class VPCPeeringBulkEditForm(HedgehogResourceBulkEditForm):
    model = VPCPeering


class ExternalBulkEditForm(HedgehogResourceBulkEditForm):
    model = External


class ExternalAttachmentBulkEditForm(HedgehogResourceBulkEditForm):
    model = ExternalAttachment


class ExternalPeeringBulkEditForm(HedgehogResourceBulkEditForm):
    model = ExternalPeering


class GatewayGroupBulkEditForm(HedgehogResourceBulkEditForm):
    model = GatewayGroup


class GatewayBulkEditForm(HedgehogResourceBulkEditForm):
    model = Gateway


class GatewayPeeringBulkEditForm(HedgehogResourceBulkEditForm):
    model = GatewayPeering
