"""``fenghuo users create``: password from stdin, audited, errors naming field and rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import CredentialKind
from fenghuo.audit.models import AuditRecord
from fenghuo.platform import Platform
from tests.cli.conftest import Invoke

PASSWORD = "a-long-enough-password"


def test_a_user_created_from_stdin_can_sign_in(seeded: Invoke, platform: Platform) -> None:
    result = seeded(
        "users",
        "create",
        "--username",
        "zhang.wei",
        "--org",
        "Guangdong Cyberspace Affairs Office",
        "--role",
        "analyst",
        "--role",
        "duty_officer",
        "--display-name",
        "张伟",
        "--email",
        "zhang.wei@gd.example",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created user zhang.wei (analyst, duty_officer) in 广东省委网信办" in result.output
    assert PASSWORD not in result.output
    with platform.transaction() as session:
        user = accounts_service.get_user_by_username(session=session, username="zhang.wei")
        assert user is not None
        assert (user.display_name, user.email) == ("张伟", "zhang.wei@gd.example")
        assert user.organisation.region_code == "440000"
        outcome = credentials.login(
            session=session,
            policy=platform.policy,
            settings=platform.settings,
            username="zhang.wei",
            password=PASSWORD,
            kind=CredentialKind.session,
        )
        assert outcome.ok
        created = session.scalar(
            select(AuditRecord).where(
                AuditRecord.action == "accounts.users.create", AuditRecord.target_id == user.id
            )
        )
        assert created is not None
        assert created.actor_label.startswith("cli:")
        assert created.rule == "local-system-operator"


def test_the_organisation_may_be_given_by_id_or_chinese_name(
    seeded: Invoke, platform: Platform
) -> None:
    with platform.transaction() as session:
        org = accounts_service.get_user_by_username(session=session, username="op.zjbank")
        assert org is not None
        org_id = org.org_id
    for username, ref in (("by.id", org_id), ("by.name", "浙江农商联合银行")):
        result = seeded(
            "users", "create", "--username", username, "--org", ref, "--role", "viewer",
            "--password-stdin", stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "浙江农商联合银行" in result.output


BAD_INPUT = {
    "unknown-role": (["--role", "boss"], PASSWORD, "Invalid roles: 'boss' is not a known role"),
    "short-password": (["--role", "analyst"], "short", "Invalid password: a password needs"),
    "empty-stdin": (["--role", "analyst"], "", "Invalid password: standard input had no password"),
    "bad-email": (["--role", "analyst", "--email", "nope"], PASSWORD, "Invalid email:"),
    "taken": (["--role", "analyst", "--username", "admin"], PASSWORD, "Conflict on username:"),
    "bad-name": (["--role", "analyst", "--username", "X!"], PASSWORD, "Invalid username:"),
    "no-org": (["--role", "analyst", "--org", "Atlantis"], PASSWORD, "Not found: no organisation"),
}


@pytest.mark.parametrize(("args", "stdin", "expected"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_one_line_naming_the_field_and_rule(
    seeded: Invoke, args: list[str], stdin: str, expected: str
) -> None:
    base = ["users", "create", "--username", "new.user", "--org", "National Energy Administration"]
    options = dict(zip(base[2::2], base[3::2], strict=True))
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [part for pair in options.items() for part in pair]
    result = seeded("users", "create", *flat, "--password-stdin", stdin=stdin + "\n")
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert "(rule " in result.stderr or result.stderr.startswith(("Not found", "Conflict"))
    assert len(result.stderr.strip().splitlines()) == 1


def test_without_stdin_flag_or_terminal_the_password_is_refused(seeded: Invoke) -> None:
    result = seeded(
        "users", "create", "--username", "no.tty", "--org", "National Energy Administration",
        "--role", "analyst",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "--password-stdin" in result.stderr and "(rule password-required)" in result.stderr


def test_unlock_lifts_a_lock_and_is_audited(seeded: Invoke, platform: Platform) -> None:
    with platform.transaction() as session:
        user = accounts_service.get_user_by_username(session=session, username="gd.admin")
        assert user is not None
        user.failed_logins, user.locked_until = 5, clock.now() + timedelta(minutes=15)
    result = seeded("users", "unlock", "--username", "gd.admin")
    assert result.exit_code == 0, result.output
    assert "Unlocked gd.admin" in result.stdout
    with platform.transaction() as session:
        user = accounts_service.get_user_by_username(session=session, username="gd.admin")
        assert user is not None
        assert (user.failed_logins, user.locked_until) == (0, None)
        last = session.scalar(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1))
        assert last is not None and last.action == "accounts.users.update"
