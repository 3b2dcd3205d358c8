"""``fenghuo warnings keygen|verify|list`` against a private data directory."""

from __future__ import annotations

from pathlib import Path

from fenghuo import clock
from fenghuo.accounts.enums import OrgKind
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.warnings import cap, keys, signing
from fenghuo.warnings.enums import CapMsgType, SignatureAlgorithm
from tests.cli.conftest import Invoke
from tests.factories.accounts import make_org


def _org(data_dir: Path) -> str:
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        org = make_org(session, kind=OrgKind.national_coordinator, parent=None, name="CAC")
        org_id = org.id
    platform.engine.dispose()
    return org_id


def _signed(settings: Settings, org_id: str, algorithm: SignatureAlgorithm) -> bytes:
    texts = cap.Texts("标题", "描述", "措施", "国家网信办", "全国")
    sent = clock.now()
    content = cap.CapInput(
        identifier="FH-W-2026-000001-1",
        sender=f"{org_id}@localhost",
        sent=sent,
        status="Actual",
        msg_type=CapMsgType.alert,
        public=True,
        restriction="",
        references=[],
        colour="red",
        category="malware",
        exercise=False,
        all_clear=False,
        effective=sent,
        expires=None,
        regions=[],
        zh=texts,
        en=cap.Texts("Title", "Description", "Measures", "CAC", "Nationwide"),
    )
    key = keys.current(settings, org_id, algorithm)
    assert key is not None
    return cap.to_bytes(signing.sign(cap.build(content), key))


def test_keygen_then_verify_a_document_and_a_tampered_one(
    migrated: Invoke,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    org_id = _org(data_dir)
    for algorithm in ("xmldsig-ecdsa", "sm2"):
        result = migrated("warnings", "keygen", org_id, "--algorithm", algorithm)
        assert result.exit_code == 0, result.output
        assert "fingerprint (SHA-256):" in result.stdout
        settings = Settings(data_dir=data_dir)
        document = tmp_path / f"{algorithm}.cap"
        document.write_bytes(_signed(settings, org_id, SignatureAlgorithm(algorithm)))
        good = migrated("warnings", "verify", str(document))
        assert good.exit_code == 0, good.output
        assert f"valid: {algorithm} signature" in good.stdout and org_id in good.stdout
        tampered = tmp_path / f"{algorithm}-tampered.cap"
        tampered.write_bytes(document.read_bytes().replace("描述".encode(), "改过".encode()))
        bad = migrated("warnings", "verify", str(tampered))
        assert bad.exit_code == 1
        assert "INVALID" in bad.output


def test_verify_trusts_only_the_given_certificate_when_asked(
    migrated: Invoke,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    org_id = _org(data_dir)
    assert migrated("warnings", "keygen", org_id, "--algorithm", "xmldsig-rsa").exit_code == 0
    settings = Settings(data_dir=data_dir)
    document = tmp_path / "alert.cap"
    document.write_bytes(_signed(settings, org_id, SignatureAlgorithm.rsa))
    pair = keys.current(settings, org_id, SignatureAlgorithm.rsa)
    assert pair is not None
    stranger_settings = Settings(data_dir=tmp_path / "stranger")
    stranger = keys.generate(
        stranger_settings, org_id="x", org_name="X", algorithm=SignatureAlgorithm.rsa
    )
    result = migrated(
        "warnings",
        "verify",
        str(document),
        "--only-given",
        "--cert",
        str(stranger.path / "cert.pem"),
    )
    assert result.exit_code == 1 and "not a trusted issuer key" in result.output
    result = migrated(
        "warnings", "verify", str(document), "--only-given", "--cert", str(pair.path / "cert.pem")
    )
    assert result.exit_code == 0, result.output


def test_rotation_keeps_the_old_key_so_old_documents_verify(
    migrated: Invoke,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    org_id = _org(data_dir)
    assert migrated("warnings", "keygen", org_id, "--algorithm", "xmldsig-ecdsa").exit_code == 0
    settings = Settings(data_dir=data_dir)
    old = tmp_path / "old.cap"
    old.write_bytes(_signed(settings, org_id, SignatureAlgorithm.ecdsa))
    assert migrated("warnings", "keygen", org_id, "--algorithm", "xmldsig-ecdsa").exit_code == 0
    assert len(keys.generations(settings, org_id, SignatureAlgorithm.ecdsa)) == 2
    assert migrated("warnings", "verify", str(old)).exit_code == 0


def test_list_prints_the_warnings(migrated: Invoke) -> None:
    result = migrated("warnings", "list", "--state", "published")
    assert result.exit_code == 0, result.output
    assert "0 of 0 warning(s)" in result.stdout
