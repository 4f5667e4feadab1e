from dcim.models import Site
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from netbox.forms import NetBoxModelForm, PrimaryModelForm
from tenancy.models import Tenant
from utilities.forms import add_blank_choice
from utilities.forms.fields import DynamicModelChoiceField
from utilities.forms.rendering import FieldSet

from netbox_hedgehog import kubeconfig as kubeconfig_rules
from netbox_hedgehog.choices import WriteModeChoices
from netbox_hedgehog.kinds import KINDS
from netbox_hedgehog.models import (
    CREDENTIAL_FIELDS,
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
from netbox_hedgehog.writemode import read_only_reason

from .fields import WriteOnlyTextarea, YAMLField

__all__ = (
    'ConnectionForm',
    'ExternalAttachmentForm',
    'ExternalForm',
    'ExternalPeeringForm',
    'FabricForm',
    'GatewayForm',
    'GatewayPeeringForm',
    'GatewayGroupForm',
    'HedgehogResourceForm',
    'IPv4NamespaceForm',
    'ServerForm',
    'SwitchForm',
    'SwitchGroupForm',
    'VLANNamespaceForm',
    'VPCAttachmentForm',
    'VPCForm',
    'VPCPeeringForm',
)

# Help text of each write-only credential while none is stored.
CREDENTIAL_HELP = {
    'kubeconfig': _('Paste a kubeconfig (YAML). It is stored encrypted and never shown again.'),
    'kubernetes_token': _('Bearer token of a service account, used with the API server URL and CA bundle. '
                          'Stored encrypted and never shown again.'),
    'git_token': _('Token for HTTPS access to the repository. Stored encrypted and never shown again.'),
    'git_ssh_key': _('Private key (PEM or OpenSSH) for ssh:// access to the repository. Stored encrypted and never '
                     'shown again.'),
}


def _secret_textarea():
    return WriteOnlyTextarea(attrs={'class': 'font-monospace', 'rows': 6, 'spellcheck': 'false',
                                    'autocomplete': 'off'})


def _secret_input():
    return forms.PasswordInput(render_value=False, attrs={'autocomplete': 'new-password'})


class FabricForm(PrimaryModelForm):
    git_kinds = forms.MultipleChoiceField(
        label=_('Kinds in Git'), required=False,
        choices=[(kind.kind, kind.label) for kind in KINDS if not kind.read_only],
        help_text=Fabric._meta.get_field('git_kinds').help_text,
    )
    write_mode = forms.ChoiceField(
        label=_('Write mode'), choices=add_blank_choice(WriteModeChoices), required=False,
        help_text=Fabric._meta.get_field('write_mode').help_text,
    )
    kubeconfig = forms.CharField(label=_('Kubeconfig'), required=False, widget=_secret_textarea())
    clear_kubeconfig = forms.BooleanField(label=_('Remove the stored kubeconfig'), required=False)
    kubernetes_token = forms.CharField(label=_('Bearer token'), required=False, widget=_secret_input())
    clear_kubernetes_token = forms.BooleanField(label=_('Remove the stored bearer token'), required=False)
    git_token = forms.CharField(label=_('Git token'), required=False, widget=_secret_input())
    clear_git_token = forms.BooleanField(label=_('Remove the stored Git token'), required=False)
    git_ssh_key = forms.CharField(label=_('Git SSH key'), required=False, strip=False, widget=_secret_textarea())
    clear_git_ssh_key = forms.BooleanField(label=_('Remove the stored Git SSH key'), required=False)
    inventory_site = DynamicModelChoiceField(
        label=_('Inventory site'), queryset=Site.objects.all(), required=False,
        help_text=Fabric._meta.get_field('inventory_site').help_text,
    )
    inventory_tenant = DynamicModelChoiceField(
        label=_('Inventory tenant'), queryset=Tenant.objects.all(), required=False,
        help_text=Fabric._meta.get_field('inventory_tenant').help_text,
    )
    confirm_inventory_removal = forms.BooleanField(
        label=_('Remove the projected inventory'), required=False,
        help_text=_('Confirm that clearing or changing the inventory site deletes the devices, cables, addresses, '
                    'VRFs, prefixes and VLANs the projection created (objects it adopted stay)'),
    )

    fieldsets = (
        FieldSet('name', 'status', 'write_mode', 'description', 'tags', name=_('Fabric')),
        FieldSet(
            'kubernetes_server', 'kubernetes_namespace', 'kubeconfig', 'clear_kubeconfig', 'kubernetes_token',
            'clear_kubernetes_token', 'kubernetes_ca_cert', 'verify_tls', name=_('Kubernetes'),
        ),
        FieldSet(
            'git_url', 'git_branch', 'git_write_branch', 'git_path', 'git_kinds', 'git_token', 'clear_git_token',
            'git_ssh_key', 'clear_git_ssh_key', 'git_author_name', 'git_author_email', name=_('Git'),
        ),
        FieldSet('sync_enabled', 'sync_interval', 'allow_empty_kinds', name=_('Sync')),
        FieldSet('inventory_site', 'inventory_tenant', 'confirm_inventory_removal', name=_('NetBox inventory')),
    )

    class Meta:
        model = Fabric
        fields = (
            'name', 'status', 'write_mode', 'description', 'kubernetes_server', 'kubernetes_namespace',
            'kubernetes_ca_cert', 'verify_tls', 'git_url', 'git_branch', 'git_write_branch', 'git_path', 'git_kinds',
            'git_author_name',
            'git_author_email', 'sync_enabled', 'sync_interval', 'allow_empty_kinds', 'inventory_site',
            'inventory_tenant', 'owner', 'comments', 'tags',
        )
        widgets = {
            'kubernetes_ca_cert': forms.Textarea(attrs={'class': 'font-monospace', 'rows': 4}),
        }
        help_texts = {
            'git_url': _('https://, ssh:// or user@host:path, without credentials (file:// and http:// only where an '
                         'administrator allows them)'),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and 'write_mode' not in kwargs.get('initial', {}):
            self.initial['write_mode'] = ''
        for name, (stored, human) in CREDENTIAL_FIELDS.items():
            if getattr(self.instance, stored):
                self.fields[name].help_text = _('A {human} is stored; leave empty to keep it.').format(human=human)
            else:
                self.fields[name].help_text = CREDENTIAL_HELP[name]
                del self.fields[f'clear_{name}']

    def clean_kubeconfig(self):
        kubeconfig = self.cleaned_data['kubeconfig']
        if kubeconfig and (problem := kubeconfig_rules.problem(kubeconfig)):
            raise ValidationError(problem)
        return kubeconfig

    def clean_git_ssh_key(self):
        key = self.cleaned_data['git_ssh_key'].strip()
        if not key:
            return ''
        if not (key.startswith('-----BEGIN ') and 'PRIVATE KEY-----' in key):
            raise ValidationError(_('Paste the private key, from "-----BEGIN ... PRIVATE KEY-----" to its END line.'))
        # OpenSSH rejects keys with CR line ends (as browsers submit them) or without a final newline.
        return '\n'.join(key.splitlines()) + '\n'

    def clean(self):
        if not self.cleaned_data.get('write_mode'):
            self.cleaned_data['write_mode'] = default_write_mode(self.cleaned_data.get('git_url'))
        super().clean()
        site = self.cleaned_data.get('inventory_site')
        moved = self.instance.inventory_site_id and self.instance.inventory_site_id != (site.pk if site else None)
        if (self.instance.pk and moved
                and not self.cleaned_data.get('confirm_inventory_removal')
                and self.instance.inventory_links.filter(created=True).exists()):
            self.add_error('confirm_inventory_removal', _(
                'Clearing or changing the inventory site deletes what the projection created in NetBox (a new site '
                'gets it again at the next sync); tick this box to confirm.'
            ))
        # Credentials are set here rather than in save() so that Fabric.clean() validates the new combination.
        for name, (_stored, human) in CREDENTIAL_FIELDS.items():
            value = self.cleaned_data.get(name)
            if self.cleaned_data.get(f'clear_{name}'):
                if value:
                    self.add_error(name, _('Enter a new {human} or remove the stored one, not both.').format(
                        human=human
                    ))
                else:
                    setattr(self.instance, name, '')
            elif value:
                setattr(self.instance, name, value)
        return self.cleaned_data


class HedgehogResourceForm(NetBoxModelForm):
    """Create or edit one Hedgehog object: its fabric, name, spec (YAML) and Kubernetes metadata."""
    fabric = DynamicModelChoiceField(label=_('Fabric'), queryset=Fabric.objects.all())
    spec = YAMLField(
        label=_('Spec'), rows=18,
        help_text=_('The spec as in the Kubernetes manifest, in YAML (or JSON). The typed fields shown in NetBox '
                    'are derived from it.'),
    )
    labels = YAMLField(
        label=_('Labels'), rows=4,
        help_text=_('Kubernetes labels, one "key: value" per line; quote numbers and booleans.'),
    )
    annotations = YAMLField(
        label=_('Annotations'), rows=4,
        help_text=_('Kubernetes annotations, one "key: value" per line; quote numbers and booleans.'),
    )

    fieldsets = (
        FieldSet('fabric', 'name', 'tags', name=_('Object')),
        FieldSet('spec', name=_('Spec')),
        FieldSet('labels', 'annotations', name=_('Metadata')),
    )

    class Meta:
        fields = ('fabric', 'name', 'spec', 'labels', 'annotations', 'tags')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An object of a read-only fabric keeps its Kubernetes part; its tags and custom fields stay editable.
        fabric = None if self.instance._state.adding else self.instance.fabric
        if fabric is not None and (reason := read_only_reason(fabric, self.instance.kind)):
            for name in ('fabric', 'name', 'spec', 'labels', 'annotations'):
                self.fields[name].disabled = True
                self.fields[name].help_text = reason


class VLANNamespaceForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = VLANNamespace


class SwitchGroupForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = SwitchGroup


class SwitchForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = Switch


class ServerForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = Server


class ConnectionForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = Connection


class IPv4NamespaceForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = IPv4Namespace


class VPCForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = VPC


class VPCAttachmentForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = VPCAttachment


class VPCPeeringForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = VPCPeering


class ExternalForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = External


class ExternalAttachmentForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = ExternalAttachment


class ExternalPeeringForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = ExternalPeering


class GatewayGroupForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = GatewayGroup


class GatewayForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = Gateway


class GatewayPeeringForm(HedgehogResourceForm):
    class Meta(HedgehogResourceForm.Meta):
        model = GatewayPeering
