"""``fenghuo demo seed``: once, through the audited flows, with the promised logins."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from fenghuo.accounts.models import Organisation, User
from fenghuo.audit.models import AuditRecord
from fenghuo.demo import DEMO_PASSWORD, LOGINS
from fenghuo.demo.monitoring import DEMO_SOURCES
from fenghuo.platform import Platform
from tests.cli.conftest import SEED_OUTPUT, Invoke
from tests.demo.test_world import PROMISED_LOGINS


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.transaction() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Organisation, User, AuditRecord)
        )


def test_seed_builds_the_world_and_prints_the_logins(seeded: Invoke, platform: Platform) -> None:
    organisations, users, records = _counts(platform)
    # Each demo event source sends as a service account of its own.
    assert (organisations, users) == (30, len(LOGINS) + len(DEMO_SOURCES))
    assert records > organisations + users  # every seeded change is audited
    with platform.transaction() as session:
        names = set(session.scalars(select(User.username)))
    assert names >= set(PROMISED_LOGINS)


def test_seed_again_changes_nothing_and_prints_the_same_logins(
    seeded: Invoke, platform: Platform
) -> None:
    before = _counts(platform)
    result = seeded("demo", "seed")
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.stdout
    assert DEMO_PASSWORD in result.stdout
    for username in PROMISED_LOGINS:
        assert f" {username} " in result.stdout
    assert _counts(platform) == before


def test_the_first_seed_says_what_it_created(seeded_template: Path) -> None:
    output = (seeded_template.parent / SEED_OUTPUT).read_text(encoding="utf-8")
    assert f"Demo world created: 30 organisations, {len(LOGINS)} accounts." in output
    assert f"password for all: {DEMO_PASSWORD}" in output
