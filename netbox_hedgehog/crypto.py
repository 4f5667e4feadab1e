"""Encryption at rest for stored credentials (kubeconfigs, tokens, Git secrets).

The key is derived with HKDF-SHA256 from the plugin setting `credential_key`, or from NetBox's SECRET_KEY when
that setting is empty. Values are Fernet tokens (AES-128-CBC + HMAC-SHA256). Keys listed in
`credential_key_fallbacks` still decrypt, so keys can be rotated: see the README.
"""
import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = (
    'CredentialError',
    'decrypt',
    'encrypt',
    'rotate',
)

_INFO = b'netbox-hedgehog credentials v1'


class CredentialError(Exception):
    """A stored credential cannot be decrypted with the configured keys (the message names no secret)."""


def _fernet_for(secret):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b'netbox-hedgehog', info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _cipher():
    from . import get_setting
    primary = get_setting('credential_key') or settings.SECRET_KEY
    fallbacks = list(get_setting('credential_key_fallbacks') or [])
    return MultiFernet([_fernet_for(primary), *(_fernet_for(k) for k in fallbacks)])


def encrypt(plaintext):
    """Encrypt a credential; the empty string stays empty (meaning "not set")."""
    if not plaintext:
        return ''
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(token, what='credential'):
    if not token:
        return ''
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialError(
            f'The stored {what} cannot be decrypted with the configured key (was SECRET_KEY or credential_key '
            f'changed without listing the old one in credential_key_fallbacks?). Enter the {what} again.'
        ) from None


def rotate(token):
    """Re-encrypt a stored value with the current primary key; raises CredentialError when no key decrypts it."""
    if not token:
        return ''
    try:
        return _cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialError('A stored credential cannot be decrypted with the configured keys.') from None
