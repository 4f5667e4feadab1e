"""The kind registry is the one place for each fact about a kind: its enumerations match the choice sets, its
reference fields and menu groups are complete, and both URL configurations serve each kind at its slug."""
from django.apps import apps
from django.test import SimpleTestCase
from django.urls import reverse

from netbox_hedgehog import kinds
from netbox_hedgehog.choices import (
    ConnectionTypeChoices,
    ExternalTypeChoices,
    RedundancyTypeChoices,
    SwitchRoleChoices,
    VPCModeChoices,
)
from netbox_hedgehog.kinds import KIND_BY_MODEL, KINDS, MENU_GROUPS, menu_groups
from netbox_hedgehog.navigation import menu


class EnumerationTest(SimpleTestCase):
    """A value the registry accepts in a spec is a value the typed column's choices know, and the other way round."""

    def test_switch_roles(self):
        self.assertEqual(list(kinds.SWITCH_ROLES), SwitchRoleChoices.values())

    def test_redundancy_types(self):
        self.assertEqual(list(kinds.REDUNDANCY_TYPES), RedundancyTypeChoices.values())

    def test_connection_types(self):
        self.assertEqual(kinds.CONNECTION_TYPES, set(ConnectionTypeChoices.values()))
        self.assertLessEqual(kinds.CONNECTION_SINGLE_LINK, kinds.CONNECTION_TYPES)

    def test_vpc_modes(self):
        self.assertEqual(sorted(set(kinds.VPC_MODES.values())), sorted(VPCModeChoices.values()))
        self.assertEqual({mode for mode in kinds.VPC_MODES if mode}, set(VPCModeChoices.values()))

    def test_external_types(self):
        self.assertEqual({kinds.EXTERNAL_BGP, kinds.EXTERNAL_STATIC}, set(ExternalTypeChoices.values()))

    def test_derived_values_are_choices(self):
        """What the derive functions store for real specs is one of the column's choices."""
        self.assertIn(KIND_BY_MODEL['vpc'].typed_fields({})['mode'], VPCModeChoices.values())
        for spec in ({}, {'static': {'prefixes': ['0.0.0.0/0']}}):
            for model_name in ('external', 'externalattachment'):
                with self.subTest(model_name=model_name, spec=spec):
                    external_type = KIND_BY_MODEL[model_name].typed_fields(spec)['external_type']
                    self.assertIn(external_type, ExternalTypeChoices.values())


class RegistryTest(SimpleTestCase):

    def test_every_kind_is_in_one_menu_group_at_its_own_place(self):
        grouped = [kind for _group, members in menu_groups() for kind in members]
        self.assertCountEqual([k.kind for k in grouped], [k.kind for k in KINDS])
        for group, members in menu_groups():
            with self.subTest(group=group):
                positions = [k.menu_position for k in members]
                self.assertEqual(len(set(positions)), len(positions), f'{group}: two kinds share a menu position')
                self.assertTrue(all(k.label for k in members))

    def test_menu_follows_the_registry(self):
        kind_groups = [(group.label, [item.link for item in group.items]) for group in menu.groups[1:]]
        self.assertEqual([group for group, _links in kind_groups], list(MENU_GROUPS))
        self.assertEqual(kind_groups, [
            (group, [f'plugins:netbox_hedgehog:{k.model_name}_list' for k in members])
            for group, members in menu_groups()
        ])
        buttons = {item.link: bool(item.buttons) for group in menu.groups[1:] for item in group.items}
        for kind in KINDS:
            with self.subTest(kind=kind.kind):
                self.assertEqual(buttons[f'plugins:netbox_hedgehog:{kind.model_name}_list'], not kind.read_only)

    def test_references_name_typed_columns_and_kinds(self):
        for kind in KINDS:
            model = apps.get_model('netbox_hedgehog', kind.model_name)
            for column, target in kind.references.items():
                with self.subTest(kind=kind.kind, column=column):
                    # A typed column: derived from the spec, never edited on its own.
                    self.assertFalse(model._meta.get_field(column).editable)
                    self.assertIn(target, KIND_BY_MODEL)

    def test_pages_and_api_endpoints_live_at_the_kind_slug(self):
        for kind in KINDS:
            with self.subTest(kind=kind.kind):
                self.assertEqual(reverse(f'plugins:netbox_hedgehog:{kind.model_name}_list'),
                                 f'/plugins/hedgehog/{kind.slug}/')
                self.assertEqual(reverse(f'plugins:netbox_hedgehog:{kind.model_name}', kwargs={'pk': 7}),
                                 f'/plugins/hedgehog/{kind.slug}/7/')
                self.assertEqual(reverse(f'plugins-api:netbox_hedgehog-api:{kind.model_name}-list'),
                                 f'/api/plugins/hedgehog/{kind.slug}/')
