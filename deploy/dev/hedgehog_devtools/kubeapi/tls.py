"""The server's certificates and the kubeconfig that trusts them.

Every server run gets its own throw-away certificate authority and a server certificate for 127.0.0.1 and
localhost, so clients can (and must) keep TLS verification on.
"""
import base64
import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = (
    'TLSMaterial',
    'create_tls_material',
    'render_kubeconfig',
    'server_ssl_context',
    'write_private_file',
)

VALIDITY = datetime.timedelta(days=7)
CLOCK_SKEW = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class TLSMaterial:
    """PEM texts of a CA certificate and of a server certificate (with its key) that the CA signed."""
    ca_pem: str
    cert_pem: str
    key_pem: str


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, public_key, now):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign):
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def create_tls_material(dns_names=('localhost',), ip_addresses=('127.0.0.1',)):
    """Generate a new CA and a server certificate for the given names, signed by that CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name('kubeapi-test-ca')
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    alt_names = [x509.DNSName(name) for name in dns_names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    cert = (
        _builder(_name('kubeapi-test-server'), ca_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    ).decode()
    return TLSMaterial(ca_pem=_pem(ca_cert), cert_pem=_pem(cert), key_pem=key_pem)


def write_private_file(path, text):
    """Write ``text`` to ``path`` readable by the owner only (keys, and kubeconfigs holding a token)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write(text)


def server_ssl_context(material, directory):
    """A server-side SSL context for ``material``; the key and certificate are written to ``directory``."""
    directory = Path(directory)
    cert_file, key_file = directory / 'server.crt', directory / 'server.key'
    write_private_file(cert_file, material.cert_pem)
    write_private_file(key_file, material.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def render_kubeconfig(url, ca_pem, token, name='kubeapi-test'):
    """Kubeconfig YAML text with one cluster, one bearer-token user and a current context using both."""
    config = {
        'apiVersion': 'v1',
        'kind': 'Config',
        'clusters': [{
            'name': name,
            'cluster': {
                'server': url,
                'certificate-authority-data': base64.b64encode(ca_pem.encode()).decode(),
            },
        }],
        'users': [{'name': f'{name}-user', 'user': {'token': token}}],
        'contexts': [{
            'name': name,
            'context': {'cluster': name, 'user': f'{name}-user', 'namespace': 'default'},
        }],
        'current-context': name,
        'preferences': {},
    }
    return yaml.safe_dump(config, sort_keys=False)
