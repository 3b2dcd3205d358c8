"""Enveloped signatures on CAP messages: XML-DSig (RSA or ECDSA) or SM2/SM3.

XML-DSig (W3C): ``signxml`` signs the whole ``<alert>`` (reference URI ``""``, enveloped
transform, exclusive C14N, SHA-256) and carries the issuer's X.509 certificate. CAP 1.2
allows the ``ds:Signature`` inside ``<alert>`` (``<any namespace="…xmldsig#">``).

SM2 (Fenghuo's profile, NOT a W3C XML-DSig algorithm; ordinary XML-DSig verifiers do not
know its URIs): the same ``ds:Signature`` shape, with the document digested by SM3 after the
enveloped transform and exclusive C14N, and ``SignedInfo`` (exclusive C14N) signed with SM2
over SM3 (default user id ``1234567812345678``). The public key travels in
``ds:KeyValue/fh:SM2PublicKey``.

Verification trusts only keys this deployment knows (every generation of every issuing
organisation, see ``keys``) or keys handed in explicitly: a valid signature by an unknown key
is reported as untrusted.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from fenghuo.warnings import sm2
from fenghuo.warnings.cap import CAP_NS
from fenghuo.warnings.enums import SignatureAlgorithm
from fenghuo.warnings.keys import KeyPair, fingerprint_of_sm2

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
FH_NS = "urn:fenghuo:xmldsig"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SM2_SM3 = "urn:fenghuo:xmldsig:sm2-sm3"
SM3 = "urn:fenghuo:xmldsig:sm3"
_DS = f"{{{DS_NS}}}"


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a signed CAP message, with the reason when it fails."""

    valid: bool
    reason: str
    algorithm: str = ""
    fingerprint: str = ""
    org_id: str = ""

    def __bool__(self) -> bool:
        return self.valid


def sign(alert: etree._Element, key: KeyPair) -> etree._Element:
    """``alert`` with an enveloped signature by ``key`` appended."""
    if key.algorithm is SignatureAlgorithm.sm2:
        return _sign_sm2(alert, key)
    method = (
        SignatureMethod.RSA_SHA256
        if key.algorithm is SignatureAlgorithm.rsa
        else SignatureMethod.ECDSA_SHA256
    )
    signer = XMLSigner(
        signature_algorithm=method,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signer.namespaces = {"ds": DS_NS}
    signed: etree._Element = signer.sign(alert, key=key.private(), cert=key.public)
    return signed


def _c14n(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, method="c14n", exclusive=True, with_comments=False))


def _without_signature(alert: etree._Element) -> etree._Element:
    copy = etree.fromstring(etree.tostring(alert))
    for signature in copy.findall(f"{_DS}Signature"):
        copy.remove(signature)
    return copy


def _sign_sm2(alert: etree._Element, key: KeyPair) -> etree._Element:
    digest = sm2.sm3_hex(_c14n(_without_signature(alert)))
    nsmap = {"ds": DS_NS}
    signature = etree.SubElement(alert, f"{_DS}Signature", nsmap=nsmap)
    info = etree.SubElement(signature, f"{_DS}SignedInfo")
    etree.SubElement(info, f"{_DS}CanonicalizationMethod", Algorithm=EXC_C14N)
    etree.SubElement(info, f"{_DS}SignatureMethod", Algorithm=SM2_SM3)
    reference = etree.SubElement(info, f"{_DS}Reference", URI="")
    transforms = etree.SubElement(reference, f"{_DS}Transforms")
    etree.SubElement(transforms, f"{_DS}Transform", Algorithm=ENVELOPED)
    etree.SubElement(transforms, f"{_DS}Transform", Algorithm=EXC_C14N)
    etree.SubElement(reference, f"{_DS}DigestMethod", Algorithm=SM3)
    etree.SubElement(reference, f"{_DS}DigestValue").text = base64.b64encode(
        bytes.fromhex(digest)
    ).decode("ascii")
    value = sm2.sign(key.private(), key.public, _c14n(info))
    etree.SubElement(signature, f"{_DS}SignatureValue").text = base64.b64encode(
        bytes.fromhex(value)
    ).decode("ascii")
    key_info = etree.SubElement(signature, f"{_DS}KeyInfo")
    etree.SubElement(key_info, f"{_DS}KeyName").text = key.fingerprint
    key_value = etree.SubElement(key_info, f"{_DS}KeyValue")
    public = etree.SubElement(key_value, f"{{{FH_NS}}}SM2PublicKey", nsmap={"fh": FH_NS})
    public.text = key.public
    return alert


def verify(xml: bytes, trusted: Iterable[KeyPair]) -> Verification:
    """Check the enveloped signature of a CAP message against the trusted keys."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return Verification(False, f"not well-formed XML: {exc}")
    if root.tag != f"{{{CAP_NS}}}alert":
        return Verification(False, "the document is not a CAP 1.2 alert")
    signatures = root.findall(f"{_DS}Signature")
    if len(signatures) != 1:
        return Verification(False, f"expected one ds:Signature in <alert>, found {len(signatures)}")
    method = signatures[0].find(f"{_DS}SignedInfo/{_DS}SignatureMethod")
    algorithm = method.get("Algorithm", "") if method is not None else ""
    keys = list(trusted)
    if algorithm == SM2_SM3:
        return _verify_sm2(root, signatures[0], keys)
    return _verify_xmldsig(xml, root, signatures[0], keys)


def _sent_time(root: etree._Element) -> datetime | None:
    sent = root.findtext(f"{{{CAP_NS}}}sent")
    try:
        return datetime.fromisoformat(sent) if sent else None
    except ValueError:
        return None


def _verify_xmldsig(
    xml: bytes, root: etree._Element, signature: etree._Element, keys: list[KeyPair]
) -> Verification:
    embedded = signature.findtext(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if not embedded:
        return Verification(False, "the signature carries no X.509 certificate")
    try:
        der = base64.b64decode("".join(embedded.split()))
        fingerprint = x509.load_der_x509_certificate(der).fingerprint(hashes.SHA256()).hex()
    except ValueError as exc:
        return Verification(False, f"the embedded certificate cannot be read: {exc}")
    key = next((k for k in keys if k.fingerprint == fingerprint), None)
    if key is None:
        return Verification(
            False, f"the signing certificate {fingerprint[:16]}… is not a trusted issuer key"
        )
    config = SignatureConfiguration(verification_time=_sent_time(root))
    try:
        result = XMLVerifier().verify(xml, x509_cert=key.public, expect_config=config)
    except (InvalidSignature, InvalidInput) as exc:
        return Verification(False, f"the signature does not verify: {exc}", fingerprint=fingerprint)
    signed = result.signed_xml if not isinstance(result, list) else None
    if signed is None or signed.tag != f"{{{CAP_NS}}}alert":
        return Verification(False, "the signature does not cover the whole <alert>")
    return Verification(True, "valid", key.algorithm.value, fingerprint, key.org_id)


def _verify_sm2(
    root: etree._Element, signature: etree._Element, keys: list[KeyPair]
) -> Verification:
    public = signature.findtext(f"{_DS}KeyInfo/{_DS}KeyValue/{{{FH_NS}}}SM2PublicKey") or ""
    try:
        fingerprint = fingerprint_of_sm2(public.strip())
    except ValueError:
        return Verification(False, "the SM2 public key cannot be read")
    key = next((k for k in keys if k.fingerprint == fingerprint), None)
    if key is None:
        return Verification(False, f"the SM2 key {fingerprint[:16]}… is not a trusted issuer key")
    info = signature.find(f"{_DS}SignedInfo")
    reference = info.find(f"{_DS}Reference") if info is not None else None
    if info is None or reference is None or reference.get("URI") != "":
        return Verification(False, "the signature does not cover the whole <alert>")
    problem = _check_sm2_algorithms(info, reference)
    if problem:
        return Verification(False, problem)
    digest = base64.b64decode(reference.findtext(f"{_DS}DigestValue") or "").hex()
    if digest != sm2.sm3_hex(_c14n(_without_signature(root))):
        return Verification(False, "the document was changed after signing (SM3 digest differs)")
    value = base64.b64decode(signature.findtext(f"{_DS}SignatureValue") or "").hex()
    if not sm2.verify(key.public, value, _c14n(info)):
        return Verification(False, "the SM2 signature over SignedInfo does not verify")
    return Verification(True, "valid", key.algorithm.value, fingerprint, key.org_id)


def _check_sm2_algorithms(info: etree._Element, reference: etree._Element) -> str:
    c14n = info.find(f"{_DS}CanonicalizationMethod")
    digest = reference.find(f"{_DS}DigestMethod")
    transforms = [t.get("Algorithm") for t in reference.iterfind(f"{_DS}Transforms/{_DS}Transform")]
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        return "SignedInfo must use exclusive C14N"
    if digest is None or digest.get("Algorithm") != SM3:
        return "the reference must be digested with SM3"
    if transforms != [ENVELOPED, EXC_C14N]:
        return "the reference transforms must be enveloped-signature then exclusive C14N"
    return ""
