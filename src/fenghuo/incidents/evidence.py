"""Evidence files (Art. 55): stored by SHA-256, size-limited, type-checked, never executable.

A file is checked before anything is written: its name (no executable extension), its size
(``FENGHUO_EVIDENCE_MAX_BYTES``) and its content (sniffed against the allow-list in
``files``). It is then written once under the evidence folder as ``<sha256[:2]>/<sha256>``
(a file with the same content is stored once), and a row records who uploaded it. Only
those entitled read it back: the reporting operator and the authorities whose visibility
covers it (action ``incidents.evidence.view``). A file written by a transaction that is
then rolled back stays on disk unreferenced; content addressing makes that harmless.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, NotFound
from fenghuo.incidents import checks, files, service, timeline
from fenghuo.incidents.actions import ADD_EVIDENCE, VIEW_EVIDENCE
from fenghuo.incidents.enums import EntryKind
from fenghuo.incidents.models import Evidence
from fenghuo.settings import Settings

ADDED = "incidents.evidence.added"


def evidence_dir(settings: Settings) -> Path:
    """The folder evidence files live in."""
    return settings.evidence_dir or settings.data_dir / "evidence"


def path_of(settings: Settings, sha256: str) -> Path:
    """Where the file with this digest is kept."""
    return evidence_dir(settings) / sha256[:2] / sha256


def check_size(settings: Settings, size: int) -> None:
    """Refuse a file over the limit (the API calls this before reading further)."""
    if size > settings.evidence_max_bytes:
        raise Invalid(
            f"the file is larger than {settings.evidence_max_bytes} bytes; nothing was stored",
            field="file",
            rule="evidence-too-large",
        )


def add_evidence(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    incident_id: str,
    filename: str,
    content: bytes,
    description: str = "",
) -> Evidence:
    """Check and store an evidence file for the incident (authorised, audited, announced)."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, ADD_EVIDENCE, service.target_of(incident))
    checks.check_open(incident, "given evidence")
    name = files.check_name(filename)
    check_size(settings, len(content))
    if not content:
        raise Invalid("the file is empty", field="file", rule="evidence-empty")
    if len(description) > 2000 or any(ord(c) < 32 and c not in "\t\r\n" for c in description):
        raise Invalid(
            "at most 2,000 characters of text", field="description", rule="evidence-description"
        )
    sniffed = files.sniff(content)
    digest = hashlib.sha256(content).hexdigest()
    _store(settings, digest, content)
    row = Evidence(
        incident_id=incident.id,
        filename=name,
        media_type=sniffed.media_type,
        size=len(content),
        sha256=digest,
        description=description,
        uploaded_by_id=actor.user_id,
        uploaded_by=actor.label,
        uploader_org_id=actor.org.id if actor.org else None,
    )
    session.add(row)
    session.flush()
    timeline.record(
        session, incident, actor=actor, kind=EntryKind.action,
        text=f"Evidence added: {name} ({len(content)} bytes, SHA-256 {digest[:16]}…)",
    )  # fmt: skip
    audit_service.record(
        session=session,
        actor=actor,
        action=ADD_EVIDENCE,
        target_type="incident_evidence",
        target_id=row.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 55",
        details={"incident_id": incident.id, "filename": name, "sha256": digest,
                 "size": len(content), "media_type": sniffed.media_type},
        summary=f"{incident.reference}: evidence {name}",
    )  # fmt: skip
    emit(session, ADDED, {"incident_id": incident.id, "evidence_id": row.id, "sha256": digest})
    return row


def read_evidence(
    *, session: Session, actor: Actor, settings: Settings, evidence_id: str
) -> tuple[Evidence, bytes]:
    """An evidence file and its bytes, if the actor is entitled; the digest is verified."""
    row = session.get(Evidence, evidence_id)
    if row is None:
        raise NotFound(f"no evidence {evidence_id}")
    incident = service.get_or_raise(session=session, incident_id=row.incident_id)
    require(actor, VIEW_EVIDENCE, service.target_of(incident))
    path = path_of(settings, row.sha256)
    if not path.exists():
        raise NotFound(f"the file of evidence {evidence_id} is missing from the evidence store")
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise NotFound(f"the stored file of evidence {evidence_id} does not match its SHA-256")
    return row, content


def _store(settings: Settings, digest: str, content: bytes) -> None:
    target = path_of(settings, digest)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o440)  # never executable
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
