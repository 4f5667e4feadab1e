from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _
from netbox.forms import NetBoxModelImportForm, PrimaryModelImportForm
from utilities.forms.fields import CSVChoiceField, CSVModelChoiceField

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
    default_write_mode,
)
from netbox_hedgehog.yamlsafe import YAMLLimitError, check_expansion

from .fields import YAMLField

__all__ = (
    'ConnectionImportForm',
    'ExternalAttachmentImportForm',
    'ExternalImportForm',
    'ExternalPeeringImportForm',
    'FabricImportForm',
    'GatewayGroupImportForm',
    'GatewayImportForm',
    'GatewayPeeringImportForm',
    'HedgehogResourceImportForm',
    'IPv4NamespaceImportForm',
    'ServerImportForm',
    'SwitchGroupImportForm',
    'SwitchImportForm',
    'VLANNamespaceImportForm',
    'VPCAttachmentImportForm',
    'VPCImportForm',
    'VPCPeeringImportForm',
)


class BoundedRecordMixin:
    """Refuse a record (one object of a YAML import) that shares values like an alias bomb, before any field turns
    it into text or JSON: NetBox parses the import itself, with aliases."""

    def full_clean(self):
        try:
            check_expansion(dict(self.data) if self.is_bound else {})
        except YAMLLimitError as e:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            self.add_error(None, _('Refused: {problem}.').format(problem=e.problem))
            return
        super().full_clean()


class FabricImportForm(BoundedRecordMixin, PrimaryModelImportForm):
    """Fabrics from CSV, YAML or JSON; credentials are never imported and are set on the fabric's edit page."""
    status = CSVChoiceField(
        label=_('Status'), choices=FabricStatusChoices, required=False, help_text=_('Operational status')
    )
    write_mode = CSVChoiceField(
        label=_('Write mode'), choices=WriteModeChoices, required=False,
        help_text=_('read-only, cluster or git (default: git when a Git URL is given, otherwise read-only)'),
    )

    # Columns that may be left out or empty: the fabric then gets the model's default.
    defaulted_fields = ('status', 'kubernetes_namespace', 'git_branch', 'sync_interval')

    class Meta:
        model = Fabric
        fields = (
            'name', 'status', 'write_mode', 'description', 'kubernetes_server', 'kubernetes_namespace', 'verify_tls',
            'git_url', 'git_branch', 'git_write_branch', 'git_path', 'sync_enabled', 'sync_interval', 'owner',
            'comments', 'tags',
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.defaulted_fields:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        if 'write_mode' in self.fields and not self.cleaned_data.get('write_mode'):
            self.cleaned_data['write_mode'] = default_write_mode(self.cleaned_data.get('git_url'))
        super().clean()
        for name in self.defaulted_fields:
            if name in self.fields and self.cleaned_data.get(name) in (None, ''):
                self.cleaned_data[name] = Fabric._meta.get_field(name).default
        return self.cleaned_data


class HedgehogResourceImportForm(BoundedRecordMixin, NetBoxModelImportForm):
    fabric = CSVModelChoiceField(
        label=_('Fabric'), queryset=Fabric.objects.all(), to_field_name='name', help_text=_('Name of the fabric')
    )
    spec = YAMLField(label=_('Spec'), help_text=_('The spec as JSON (in CSV) or as a mapping (in YAML and JSON)'))
    labels = YAMLField(label=_('Labels'), help_text=_('Kubernetes labels as a JSON object of strings'))
    annotations = YAMLField(label=_('Annotations'), help_text=_('Kubernetes annotations as a JSON object of strings'))

    class Meta:
        fields = ('fabric', 'name', 'spec', 'labels', 'annotations', 'tags')


class VLANNamespaceImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = VLANNamespace


class SwitchGroupImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = SwitchGroup


class SwitchImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = Switch


class ServerImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = Server


class ConnectionImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = Connection


class IPv4NamespaceImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = IPv4Namespace


class VPCImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = VPC


class VPCAttachmentImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = VPCAttachment


class VPCPeeringImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = VPCPeering


class ExternalImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = External


class ExternalAttachmentImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = ExternalAttachment


class ExternalPeeringImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = ExternalPeering


class GatewayGroupImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = GatewayGroup


class GatewayImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = Gateway


class GatewayPeeringImportForm(HedgehogResourceImportForm):
    class Meta(HedgehogResourceImportForm.Meta):
        model = GatewayPeering
