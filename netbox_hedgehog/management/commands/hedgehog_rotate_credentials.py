from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from netbox_hedgehog import crypto
from netbox_hedgehog.models import Fabric
from netbox_hedgehog.models.fabric import CREDENTIAL_FIELDS


class Command(BaseCommand):
    help = ('Re-encrypt every stored credential with the current key (credential_key, or SECRET_KEY), after the '
            'previous key was moved to credential_key_fallbacks.')

    def handle(self, *args, **options):
        fields = [stored for stored, _human in CREDENTIAL_FIELDS.values()]
        rotated = 0
        with transaction.atomic():
            for fabric in Fabric.objects.select_for_update().only('pk', 'name', *fields):
                try:
                    for field in fields:
                        setattr(fabric, field, crypto.rotate(getattr(fabric, field)))
                except crypto.CredentialError:
                    raise CommandError(f'A credential of fabric {fabric.name!r} cannot be decrypted with the '
                                       f'current key or any fallback; nothing was changed.') from None
                Fabric.objects.filter(pk=fabric.pk).update(**{field: getattr(fabric, field) for field in fields})
                rotated += 1
        self.stdout.write(f'Re-encrypted the credentials of {rotated} fabric(s) with the current key.')
