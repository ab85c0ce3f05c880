"""The bridge's mutual-TLS client certificate, from PEM text, with no file on disk.

On Fargate the bridge runs as an unprivileged user on a read-only root file system, and ECS
hands the certificate and its key over as environment values (the task definition's
``secrets``: ``MQTT_CLIENT_CERT_PEM`` and ``MQTT_CLIENT_KEY_PEM``). There is no directory it
could write them to, and it needs none:

- Python's :meth:`ssl.SSLContext.load_cert_chain` reads a chain only from a path (``cadata``
  exists for CA certificates, not for a client chain), so each PEM goes into an anonymous
  in-memory file (``memfd_create(2)``, Linux 3.17+) that OpenSSL opens as
  ``/proc/self/fd/<n>``; both descriptors are closed as soon as the context holds the key.
  Nothing is written to any file system, and no other process can open the memory file.
- The text is checked when the configuration is read (``python -m iot_tiers_runtime.bridge``
  exits 2), so a truncated secret or a certificate that is not the key's names the variable
  at start-up instead of surfacing as a TLS failure on every reconnect.

gmqtt, the MQTT client, takes the :class:`ssl.SSLContext` as it is and hands it to
``asyncio``'s ``create_connection``.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field

CERT_VARIABLE = "MQTT_CLIENT_CERT_PEM"
KEY_VARIABLE = "MQTT_CLIENT_KEY_PEM"


class CertificateError(ValueError):
    """The PEM text is not what the variable must hold; the message names the variable."""


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate chain and its private key, as PEM bytes (the key is never in a repr)."""

    chain_pem: bytes
    key_pem: bytes = field(repr=False)

    @classmethod
    def from_text(cls, cert_text: str, key_text: str) -> "ClientCertificate":
        """Check and keep the PEMs of ``MQTT_CLIENT_CERT_PEM`` / ``MQTT_CLIENT_KEY_PEM``.

        One-line values with literal ``\\n`` (from ``.env`` files) are accepted. Raises
        :class:`CertificateError` naming the variable when the certificate or key does not
        parse, when the key is encrypted, or when the certificate is not the key's.
        """
        chain = _unescape(cert_text).encode()
        key = _unescape(key_text).encode()
        certificate = _leaf_certificate(chain)
        private_key = _private_key(key)
        _check_pair(certificate, private_key)
        return cls(chain_pem=chain, key_pem=key)

    def load_into(self, context: ssl.SSLContext) -> None:
        """Load the chain and key into ``context`` through anonymous memory files."""
        require_memory_files()
        chain_fd = _memory_file("mqtt-client-cert", self.chain_pem)
        try:
            key_fd = _memory_file("mqtt-client-key", self.key_pem)
            try:
                context.load_cert_chain(f"/proc/self/fd/{chain_fd}", f"/proc/self/fd/{key_fd}")
            finally:
                os.close(key_fd)
        finally:
            os.close(chain_fd)


def require_memory_files() -> None:
    """Raise :class:`CertificateError` where ``memfd_create`` is missing (not Linux, or Linux < 3.17)."""
    if not hasattr(os, "memfd_create"):
        raise CertificateError(
            f"{CERT_VARIABLE}/{KEY_VARIABLE} need Linux's memfd_create (the bridge keeps the key "
            "off every file system); on this system use MQTT_CERT_FILE and MQTT_KEY_FILE instead")


def _unescape(text: str) -> str:
    """PEM text with real newlines and one final newline, however the value was quoted."""
    return text.replace("\\n", "\n").strip() + "\n"


def _reason(exc: Exception) -> str:
    """The library's own reason, first sentence only (its messages go on to link its FAQ)."""
    return str(exc).split(". ")[0].rstrip(".")


def _memory_file(name: str, data: bytes) -> int:
    """An anonymous, close-on-exec memory file holding ``data``; the caller closes it."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return fd


def _leaf_certificate(chain: bytes):
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(chain)
    except ValueError as exc:
        raise CertificateError(
            f"{CERT_VARIABLE} is not a PEM certificate ({_reason(exc)}); it must hold the client certificate "
            "(and any intermediates) as -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----") from None
    return certificates[0]


def _private_key(key: bytes):
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(key, password=None)
    except TypeError:
        raise CertificateError(
            f"{KEY_VARIABLE} is an encrypted private key; it must be an unencrypted PEM key "
            "(-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----): the secret "
            "store keeps it encrypted at rest") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertificateError(
            f"{KEY_VARIABLE} is not a PEM private key ({_reason(exc)}); it must be the client certificate's "
            "unencrypted key as -----BEGIN PRIVATE KEY----- ... (or RSA/EC PRIVATE KEY)") from None


def _check_pair(certificate, private_key) -> None:
    from cryptography.hazmat.primitives import serialization

    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if certificate.public_key().public_bytes(*spki) != private_key.public_key().public_bytes(*spki):
        raise CertificateError(
            f"{KEY_VARIABLE} is not the private key of the first certificate in {CERT_VARIABLE} "
            f"(subject {certificate.subject.rfc4514_string()!r}); set both from the same certificate")
