"""The audit chain catches tampering done directly in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from fenghuo.accounts import flows
from fenghuo.accounts.schemas import OrganisationUpdate
from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor
from tests.factories.accounts import make_world


@pytest.fixture
def chain(session: Session, system_actor: Actor) -> list[AuditRecord]:
    """Five real audit records, made by renaming an organisation five times."""
    world = make_world(session)
    for n in range(5):
        flows.update_organisation(
            session=session,
            actor=system_actor,
            org_id=world.cert.id,
            org_in=OrganisationUpdate(name_en=f"CERT v{n}"),
        )
    records = list(session.query(AuditRecord).order_by(AuditRecord.seq))
    assert len(records) == 5
    assert audit_service.verify(session=session).ok
    return records


def _sql(session: Session, statement: str, **params: object) -> None:
    session.execute(text(statement), params)
    session.expire_all()


def _forge(session: Session, *, seq: int, after: AuditRecord) -> None:
    """Add a record with a correct hash that links to ``after``, bypassing the chain head."""
    forged = AuditRecord(
        seq=seq,
        at=after.at,
        actor_kind="user",
        actor_label="mallory",
        action="accounts.orgs.update",
        target_type="organisation",
        target_id="x",
        summary="forged",
        details={},
        prev_hash=after.hash,
    )
    forged.hash = audit_service.compute_hash(forged)
    session.add(forged)


def test_untouched_chain_verifies(session: Session, chain: list[AuditRecord]) -> None:
    result = audit_service.verify(session=session)
    assert result.ok and result.checked == 5


def test_edited_record_is_named(session: Session, chain: list[AuditRecord]) -> None:
    _sql(session, "UPDATE audit_record SET summary = 'nothing happened' WHERE seq = 3")
    result = audit_service.verify(session=session)
    assert not result.ok
    assert result.bad_seq == 3
    assert "edited" in result.problem


def test_edited_legal_basis_is_caught(session: Session, chain: list[AuditRecord]) -> None:
    _sql(session, "UPDATE audit_record SET actor_label = 'someone-else' WHERE seq = 1")
    assert audit_service.verify(session=session).bad_seq == 1


def test_deleted_record_is_named(session: Session, chain: list[AuditRecord]) -> None:
    _sql(session, "DELETE FROM audit_record WHERE seq = 2")
    result = audit_service.verify(session=session)
    assert not result.ok
    assert result.bad_seq == 3
    assert "missing" in result.problem


def test_deleted_last_record_is_caught_by_the_head(
    session: Session, chain: list[AuditRecord]
) -> None:
    _sql(session, "DELETE FROM audit_record WHERE seq = 5")
    result = audit_service.verify(session=session)
    assert not result.ok
    assert "removed from the end" in result.problem


def test_inserted_record_in_the_middle_is_named(session: Session, chain: list[AuditRecord]) -> None:
    for seq in (5, 4, 3):
        _sql(session, "UPDATE audit_record SET seq = seq + 1 WHERE seq = :seq", seq=seq)
    _forge(session, seq=3, after=chain[1])
    session.flush()
    session.expire_all()
    result = audit_service.verify(session=session)
    assert not result.ok
    assert result.bad_seq == 4
    assert "does not link" in result.problem


def test_appended_record_without_the_head_is_caught(
    session: Session, chain: list[AuditRecord]
) -> None:
    _forge(session, seq=6, after=chain[-1])
    session.flush()
    result = audit_service.verify(session=session)
    assert not result.ok
    assert "head" in result.problem


def test_reordered_records_are_named(session: Session, chain: list[AuditRecord]) -> None:
    _sql(session, "UPDATE audit_record SET seq = 100 WHERE seq = 2")
    _sql(session, "UPDATE audit_record SET seq = 2 WHERE seq = 3")
    _sql(session, "UPDATE audit_record SET seq = 3 WHERE seq = 100")
    result = audit_service.verify(session=session)
    assert not result.ok
    assert result.bad_seq == 2


def test_each_record_links_to_the_one_before(session: Session, chain: list[AuditRecord]) -> None:
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert all(len(entry.hash) == 64 for entry in chain)


def test_record_carries_before_and_after_digests(
    session: Session, chain: list[AuditRecord]
) -> None:
    first = chain[0]
    assert first.before_digest and first.after_digest and first.before_digest != first.after_digest
    assert chain[1].before_digest == first.after_digest
    assert first.rule == "local-system-operator"
