"""Signing keys of issuing organisations, kept under the data directory.

Layout: ``<keys dir>/<org id>/<algorithm>/<generation>/`` where a generation is
``NNNN-YYYYMMDDTHHMMSSZ`` (numbered, so the newest sorts last). An X.509 generation holds
``key.pem`` (mode 600) and a self-signed ``cert.pem``; an SM2 generation holds ``sm2.key``
(hex, mode 600) and ``sm2.pub`` (hex of the uncompressed point, without the ``04``
prefix). The newest generation signs; older ones are never deleted, so older messages still
verify (rotation is ``fenghuo warnings keygen ORG`` again).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from fenghuo import clock
from fenghuo.settings import Settings
from fenghuo.warnings import sm2
from fenghuo.warnings.enums import SignatureAlgorithm

CERT_YEARS = 10


@dataclass(frozen=True)
class KeyPair:
    """One generation of an organisation's signing key."""

    org_id: str
    algorithm: SignatureAlgorithm
    generation: str
    path: Path
    public: str  # PEM certificate (X.509) or hex public key (SM2)
    fingerprint: str  # SHA-256 hex of the DER certificate or of the raw public key

    def private(self) -> str:
        """The private key: PEM (X.509 algorithms) or hex (SM2)."""
        name = "sm2.key" if self.algorithm is SignatureAlgorithm.sm2 else "key.pem"
        return (self.path / name).read_text(encoding="ascii").strip()


def keys_dir(settings: Settings) -> Path:
    """Where the keys are kept."""
    return settings.warning_keys_dir or settings.data_dir / "warning-keys"


def fingerprint_of_cert(pem: str) -> str:
    """SHA-256 of the DER encoding of a PEM certificate."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return cert.fingerprint(hashes.SHA256()).hex()


def fingerprint_of_sm2(public_hex: str) -> str:
    """SHA-256 of an SM2 public key's raw bytes."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def generate(
    settings: Settings, *, org_id: str, org_name: str, algorithm: SignatureAlgorithm
) -> KeyPair:
    """A new generation of ``org_id``'s key; earlier generations stay for verification."""
    now = clock.now()
    number = len(generations(settings, org_id, algorithm)) + 1
    generation = f"{number:04d}-{now:%Y%m%dT%H%M%SZ}"
    path = keys_dir(settings) / org_id / algorithm.value / generation
    path.mkdir(parents=True, mode=0o700)  # exists already: a concurrent rotation, refuse
    if algorithm is SignatureAlgorithm.sm2:
        private_hex, public_hex = sm2.generate_keypair()
        _write_secret(path / "sm2.key", private_hex)
        (path / "sm2.pub").write_text(public_hex, encoding="ascii")
        return _load(org_id, algorithm, path)
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=3072)
        if algorithm is SignatureAlgorithm.rsa
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, org_name[:64] or org_id),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fenghuo"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, org_id),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_secret(path / "key.pem", pem.decode("ascii"))
    (path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _load(org_id, algorithm, path)


def _write_secret(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)


def _load(org_id: str, algorithm: SignatureAlgorithm, path: Path) -> KeyPair:
    if algorithm is SignatureAlgorithm.sm2:
        public = (path / "sm2.pub").read_text(encoding="ascii").strip()
        fingerprint = fingerprint_of_sm2(public)
    else:
        public = (path / "cert.pem").read_text(encoding="ascii")
        fingerprint = fingerprint_of_cert(public)
    return KeyPair(org_id, algorithm, path.name, path, public, fingerprint)


def generations(settings: Settings, org_id: str, algorithm: SignatureAlgorithm) -> list[KeyPair]:
    """Every generation of ``org_id``'s keys of ``algorithm``, oldest first."""
    base = keys_dir(settings) / org_id / algorithm.value
    if not base.is_dir():
        return []
    return [_load(org_id, algorithm, p) for p in sorted(base.iterdir()) if p.is_dir()]


def current(settings: Settings, org_id: str, algorithm: SignatureAlgorithm) -> KeyPair | None:
    """The newest generation, which signs."""
    found = generations(settings, org_id, algorithm)
    return found[-1] if found else None


def ensure(
    settings: Settings, *, org_id: str, org_name: str, algorithm: SignatureAlgorithm
) -> KeyPair:
    """The signing key of ``org_id``, generated on first use (like the secret key)."""
    found = current(settings, org_id, algorithm)
    if found is not None:
        return found
    return generate(settings, org_id=org_id, org_name=org_name, algorithm=algorithm)


def trusted(settings: Settings) -> Iterator[KeyPair]:
    """Every key of every organisation and generation this deployment knows."""
    base = keys_dir(settings)
    if not base.is_dir():
        return
    for org_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for algorithm in SignatureAlgorithm:
            yield from generations(settings, org_dir.name, algorithm)


def from_certificate(pem: str) -> KeyPair:
    """A key to trust from a PEM certificate handed in (``fenghuo warnings verify --cert``)."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    public_key = cert.public_key()
    algorithm = (
        SignatureAlgorithm.ecdsa
        if isinstance(public_key, ec.EllipticCurvePublicKey)
        else SignatureAlgorithm.rsa
    )
    units = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    org_id = str(units[0].value) if units else ""
    return KeyPair(org_id, algorithm, "given", Path(), pem, fingerprint_of_cert(pem))


def from_sm2_public(public_hex: str) -> KeyPair:
    """An SM2 public key to trust, handed in as hex (``--sm2-key``)."""
    text = public_hex.strip()
    return KeyPair("", SignatureAlgorithm.sm2, "given", Path(), text, fingerprint_of_sm2(text))
