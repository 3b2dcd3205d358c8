"""Evidence files: size-limited, type-checked by content, never executable, stored by SHA-256,
and read back only by those entitled (the reporting operator and the authorities over it)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from fenghuo.errors import Invalid, Refused
from fenghuo.incidents import evidence, files, service
from fenghuo.incidents.models import Evidence
from fenghuo.settings import Settings
from tests.factories.incidents import report
from tests.incidents.conftest import People

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57
MACHO = b"\xcf\xfa\xed\xfe" + b"\x00" * 28
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def _add(session: Session, actor: object, settings: Settings, incident_id: str, name: str,
         content: bytes) -> Evidence:  # fmt: skip
    return evidence.add_evidence(
        session=session, actor=actor, settings=settings,  # type: ignore[arg-type]
        incident_id=incident_id, filename=name, content=content,
    )  # fmt: skip


def test_a_file_is_stored_by_its_sha256_and_read_back(
    session: Session, people: People, settings: Settings
) -> None:
    incident = report(session, people.sz_staff)
    row = _add(session, people.sz_staff, settings, incident.id, "mail-headers.pdf", PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    assert (row.sha256, row.media_type, row.size) == (digest, "application/pdf", len(PDF))
    stored = evidence.path_of(settings, digest)
    assert stored.read_bytes() == PDF and not stored.stat().st_mode & 0o111
    # The same content twice is stored once.
    _add(session, people.sz_staff, settings, incident.id, "again.pdf", PDF)
    assert len(list(stored.parent.iterdir())) == 1
    got, content = evidence.read_evidence(
        session=session, actor=people.nat_analyst, settings=settings, evidence_id=row.id
    )
    assert (got.id, content) == (row.id, PDF)
    logs = _add(session, people.sz_staff, settings, incident.id, "szpower.com.log", b"deny\n")
    assert logs.media_type.startswith("text/plain")


def test_an_oversize_file_is_refused_and_nothing_is_stored(
    session: Session, people: People, settings: Settings
) -> None:
    incident = report(session, people.sz_staff)
    big = PDF + b"0" * settings.evidence_max_bytes
    with pytest.raises(Invalid) as refused:
        _add(session, people.sz_staff, settings, incident.id, "dump.pdf", big)
    assert (refused.value.field, refused.value.rule) == ("file", "evidence-too-large")
    assert service.evidence(session, incident) == []
    assert not evidence.evidence_dir(settings).exists()


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("report.pdf", PE, "evidence-not-executable"),  # a PE under an innocent name
        ("notes.txt", ELF, "evidence-not-executable"),
        ("image.png", MACHO, "evidence-not-executable"),
        ("cleanup.txt", SCRIPT, "evidence-not-executable"),
        ("page.txt", HTML, "evidence-not-executable"),
        ("tool.exe", PDF, "evidence-not-executable"),  # a harmless body, a refused extension
        ("run.sh", b"echo hi\n", "evidence-not-executable"),
        ("invoice.pdf.JS", b"x", "evidence-not-executable"),
        (".exe", b"x", "evidence-not-executable"),
        ("blob.dat", b"\x00\x01\x02\xff\xfe", "evidence-type"),  # not on the allow-list
        ("empty.txt", b"", "evidence-empty"),
    ],
)
def test_disallowed_files_are_refused(
    session: Session, people: People, settings: Settings, name: str, content: bytes, rule: str
) -> None:
    incident = report(session, people.sz_staff)
    with pytest.raises(Invalid) as refused:
        _add(session, people.sz_staff, settings, incident.id, name, content)
    assert (refused.value.field, refused.value.rule) == ("file", rule)
    assert service.evidence(session, incident) == []


def test_an_operator_cannot_read_another_operators_evidence(
    session: Session, people: People, settings: Settings
) -> None:
    incident = report(session, people.sz_staff)
    row = _add(session, people.sz_staff, settings, incident.id, "proof.pdf", PDF)
    with pytest.raises(Refused) as refused:
        evidence.read_evidence(
            session=session, actor=people.bank_staff, settings=settings, evidence_id=row.id
        )
    assert refused.value.rule == "out-of-scope"
    assert "outside the visibility of Shanghai Bank" in refused.value.reason
    # Nor may it add evidence to the other operator's incident.
    with pytest.raises(Refused):
        _add(session, people.bank_staff, settings, incident.id, "x.pdf", PDF)
    # The sector department over the operator (energy) reads it; its viewers may not.
    evidence.read_evidence(
        session=session, actor=people.energy_analyst, settings=settings, evidence_id=row.id
    )
    with pytest.raises(Refused) as viewer:
        evidence.read_evidence(
            session=session, actor=people.sz_viewer, settings=settings, evidence_id=row.id
        )
    assert viewer.value.rule == "no-grant"


@given(st.binary(min_size=2, max_size=64))
def test_nothing_starting_with_an_executable_magic_is_ever_accepted(tail: bytes) -> None:
    for magic, _ in files.EXECUTABLE_MAGIC:
        with pytest.raises(Invalid):
            files.sniff(magic + tail)


@given(st.sampled_from(sorted(files.REFUSED_EXTENSIONS)), st.text(min_size=1, max_size=20))
def test_refused_extensions_are_refused_in_any_case(extension: str, stem: str) -> None:
    name = stem.replace("/", "_").replace("\\", "_")
    with pytest.raises(Invalid) as refused:
        files.check_name(f"{name}{extension.upper()}")
    assert refused.value.rule in {"evidence-not-executable", "file-name"}
