"""``fenghuo warnings``: signing keys, signature verification, and the list of warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fenghuo.cli.context import cli_actor, open_platform, settings_for
from fenghuo.cli.output import stderr, stdout
from fenghuo.warnings import keys, rotation, service, signing
from fenghuo.warnings.enums import Audience, Colour, SignatureAlgorithm, WarningState

app = typer.Typer(
    help="Early warnings (Arts. 51, 54): signing keys, CAP signature checks, the list.",
    no_args_is_help=True,
)


@app.command("keygen")
def keygen(
    ctx: typer.Context,
    org: Annotated[str, typer.Argument(help="The issuing organisation's id.")],
    algorithm: Annotated[
        SignatureAlgorithm | None,
        typer.Option(
            "--algorithm", help="xmldsig-rsa, xmldsig-ecdsa or sm2; default: the setting."
        ),
    ] = None,
) -> None:
    """Generate (or rotate) the organisation's signing key; older keys are kept (audited)."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        pair = rotation.rotate_key(
            session=session,
            actor=cli_actor(platform),
            settings=platform.settings,
            org_id=org,
            algorithm=algorithm,
        )
    console = stdout()
    console.print(f"{pair.algorithm.value} key {pair.generation} of {org}", markup=False)
    console.print(f"fingerprint (SHA-256): {pair.fingerprint}", markup=False)
    console.print(f"kept in {pair.path}", markup=False)


def _given_keys(certs: list[Path], sm2_keys: list[Path]) -> list[keys.KeyPair]:
    given = [keys.from_certificate(p.read_text(encoding="ascii")) for p in certs]
    given += [keys.from_sm2_public(p.read_text(encoding="ascii")) for p in sm2_keys]
    return given


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A signed CAP 1.2 document.")
    ],
    cert: Annotated[
        list[Path] | None,
        typer.Option(
            "--cert", exists=True, dir_okay=False, help="Also trust this PEM certificate."
        ),
    ] = None,
    sm2_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--sm2-key", exists=True, dir_okay=False, help="Also trust this SM2 key (hex)."
        ),
    ] = None,
    only_given: Annotated[
        bool,
        typer.Option(
            "--only-given", help="Trust only --cert/--sm2-key, not this deployment's keys."
        ),
    ] = False,
) -> None:
    """Check a CAP document's signature: exit 0 when valid, 1 when not (saying why)."""
    trusted = _given_keys(cert or [], sm2_key or [])
    if not only_given:
        trusted += list(keys.trusted(settings_for(ctx)))
    result = signing.verify(file.read_bytes(), trusted)
    if not result.valid:
        stderr().print(f"INVALID: {result.reason}", markup=False)
        raise typer.Exit(1)
    who = f" of organisation {result.org_id}" if result.org_id else ""
    stdout().print(
        f"valid: {result.algorithm} signature by key {result.fingerprint}{who}", markup=False
    )


@app.command("list")
def list_warnings(
    ctx: typer.Context,
    state: Annotated[WarningState | None, typer.Option("--state", help="Only this state.")] = None,
    level: Annotated[Colour | None, typer.Option("--level", help="Only this colour.")] = None,
    audience: Annotated[
        Audience | None, typer.Option("--audience", help="departments or public.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many.")] = 50,
) -> None:
    """List warnings, newest first."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        rows, total = service.list_(
            session=session,
            actor=cli_actor(platform),
            state=state.value if state else None,
            colour=level.value if level else None,
            audience=audience.value if audience else None,
            limit=limit,
        )
        table = Table("identifier", "state", "level", "audience", "version", "title")
        for warning in rows:
            exercise = " [EXERCISE]" if warning.exercise else ""
            table.add_row(
                warning.identifier,
                warning.state,
                warning.colour,
                warning.audience,
                str(warning.version),
                f"{warning.title_en}{exercise}",
            )
    console = stdout()
    console.print(table)
    console.print(f"{len(rows)} of {total} warning(s)")
