"""Database constraints that make impossible fabric states unstorable, credentials encrypted at rest, and typed
columns that depend on a spec's content only."""
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from netbox_hedgehog.crypto import CredentialError
from netbox_hedgehog.kinds import KIND_BY_NAME
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.models.fabric import reveal_credential

KUBECONFIG = 'apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: s3cr3t-kube-token-value}\n'


class FabricConstraintTest(TestCase):
    def setUp(self):
        self.fabric = Fabric.objects.create(name='f1')

    def assert_unstorable(self, **fields):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Fabric.objects.filter(pk=self.fabric.pk).update(**fields)

    def test_new_fabric_was_never_synced(self):
        self.assertEqual(self.fabric.sync_status, 'never_synced')
        self.assertIsNone(self.fabric.last_sync)

    def test_synced_without_last_sync_is_unstorable(self):
        self.assert_unstorable(sync_status='synced')
        self.assert_unstorable(sync_status='out_of_sync')

    def test_never_synced_with_last_sync_is_unstorable(self):
        self.assert_unstorable(last_sync=timezone.now())

    def test_unknown_values_are_unstorable(self):
        self.assert_unstorable(sync_status='synced')
        self.assert_unstorable(connection_status='maybe')
        self.assert_unstorable(status='bogus')
        self.assert_unstorable(sync_interval=1)

    def test_valid_transitions_are_storable(self):
        now = timezone.now()
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status='synced', last_sync=now)
        Fabric.objects.filter(pk=self.fabric.pk).update(sync_status='failed')
        self.fabric.refresh_from_db()
        self.assertEqual((self.fabric.sync_status, self.fabric.last_sync), ('failed', now))


class CredentialStorageTest(TestCase):
    def test_credentials_are_encrypted_at_rest(self):
        fabric = Fabric(name='enc', kubeconfig=KUBECONFIG, kubernetes_token='tok-123456', git_token='ghp_abcdef',
                        git_ssh_key='-----BEGIN OPENSSH PRIVATE KEY-----xyz')
        fabric.save()
        with connection.cursor() as cursor:
            cursor.execute('SELECT * FROM netbox_hedgehog_fabric WHERE id = %s', [fabric.pk])
            row = ' '.join(str(v) for v in cursor.fetchone())
        for secret in ('s3cr3t-kube-token-value', 'tok-123456', 'ghp_abcdef', 'OPENSSH'):
            self.assertNotIn(secret, row)
        fabric = Fabric.objects.get(pk=fabric.pk)
        self.assertEqual(reveal_credential(fabric, 'kubeconfig'), KUBECONFIG)
        self.assertEqual(reveal_credential(fabric, 'git_token'), 'ghp_abcdef')
        self.assertTrue(fabric.has_kubeconfig and fabric.has_git_ssh_key)

    def test_clearing_a_credential(self):
        fabric = Fabric.objects.create(name='clr', git_token='ghp_abcdef')
        fabric.git_token = ''
        fabric.save()
        self.assertFalse(Fabric.objects.get(pk=fabric.pk).has_git_token)

    def test_snapshot_names_credentials_but_holds_no_value(self):
        fabric = Fabric.objects.create(name='snap', kubeconfig=KUBECONFIG)
        data = fabric.serialize_object()
        self.assertIs(data['kubeconfig_set'], True)
        self.assertIs(data['git_token_set'], False)
        self.assertNotIn('kubeconfig_encrypted', data)
        self.assertNotIn('s3cr3t', str(data))
        self.assertNotIn(fabric.kubeconfig_encrypted, str(data))

    def test_old_key_still_decrypts_after_rotation(self):
        fabric = Fabric.objects.create(name='rot', git_token='ghp_rotate')
        config = {'netbox_hedgehog': {'credential_key': 'a-new-key', 'credential_key_fallbacks': [settings.SECRET_KEY]}}
        with override_settings(PLUGINS_CONFIG=config):
            self.assertEqual(reveal_credential(Fabric.objects.get(pk=fabric.pk), 'git_token'), 'ghp_rotate')

    def test_wrong_key_gives_a_clear_error_without_the_secret(self):
        fabric = Fabric.objects.create(name='wrong', git_token='ghp_lost')
        with override_settings(PLUGINS_CONFIG={'netbox_hedgehog': {'credential_key': 'another-key'}}):
            with self.assertRaises(CredentialError) as ctx:
                reveal_credential(Fabric.objects.get(pk=fabric.pk), 'git_token')
        self.assertIn('Git token cannot be decrypted', str(ctx.exception))
        self.assertNotIn('ghp_lost', str(ctx.exception))


class RotateCommandTest(TestCase):
    def test_rotation_re_encrypts_with_the_new_key(self):
        from io import StringIO

        from django.core.management import call_command
        fabric = Fabric.objects.create(name='rot2', git_token='ghp_rotate2', kubeconfig=KUBECONFIG)
        old_ciphertext = fabric.git_token_encrypted
        config = {'netbox_hedgehog': {'credential_key': 'brand-new-key',
                                      'credential_key_fallbacks': [settings.SECRET_KEY]}}
        out = StringIO()
        with override_settings(PLUGINS_CONFIG=config):
            call_command('hedgehog_rotate_credentials', stdout=out)
        self.assertIn('Re-encrypted the credentials of 1 fabric(s)', out.getvalue())
        fabric.refresh_from_db()
        self.assertNotEqual(fabric.git_token_encrypted, old_ciphertext)
        # The new key alone now decrypts it.
        with override_settings(PLUGINS_CONFIG={'netbox_hedgehog': {'credential_key': 'brand-new-key'}}):
            self.assertEqual(reveal_credential(Fabric.objects.get(pk=fabric.pk), 'git_token'), 'ghp_rotate2')
            self.assertEqual(reveal_credential(Fabric.objects.get(pk=fabric.pk), 'kubeconfig'), KUBECONFIG)



class TypedColumnsTest(SimpleTestCase):
    """PostgreSQL's jsonb does not keep key order: a spec read back from the database must derive the same typed
    columns as the spec the cluster or Git gave."""

    def assert_order_free(self, kind, spec, reordered):
        kind_spec = KIND_BY_NAME[kind]
        self.assertEqual(kind_spec.typed_fields(spec), kind_spec.typed_fields(reordered))
        return kind_spec.typed_fields(spec)

    def test_connection_ports_follow_a_fixed_role_order(self):
        typed = self.assert_order_free(
            'Connection',
            {'gateway': {'links': [{'gateway': {'port': 'gateway-1/enp2s1'}, 'switch': {'port': 'spine-01/E1/3'}}]}},
            {'gateway': {'links': [{'switch': {'port': 'spine-01/E1/3'}, 'gateway': {'port': 'gateway-1/enp2s1'}}]}},
        )
        self.assertEqual(typed['ports'], ['spine-01/E1/3', 'gateway-1/enp2s1'])
        typed = self.assert_order_free(
            'Connection',
            {'fabric': {'links': [{'leaf': {'port': 'leaf-01/E1/1'}, 'spine': {'port': 'spine-01/E1/1'}}]}},
            {'fabric': {'links': [{'spine': {'port': 'spine-01/E1/1'}, 'leaf': {'port': 'leaf-01/E1/1'}}]}},
        )
        self.assertEqual(typed['ports'], ['spine-01/E1/1', 'leaf-01/E1/1'])

    def test_vpc_subnets_follow_subnet_names(self):
        subnets = {'subnet-10': {'subnet': '10.0.10.0/24', 'vlan': 1010}, 'a': {'subnet': '10.0.1.0/24', 'vlan': 1001}}
        typed = self.assert_order_free('VPC', {'subnets': subnets}, {'subnets': dict(reversed(subnets.items()))})
        self.assertEqual(typed['subnets'], ['10.0.1.0/24', '10.0.10.0/24'])
