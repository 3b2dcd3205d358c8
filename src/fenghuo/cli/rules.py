"""``fenghuo rules``: check Sigma rule sets, and manage the rulebook the workers run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import stdout
from fenghuo.detection import Engine, rulebook

app = typer.Typer(help="Sigma rule sets and the rulebook.", no_args_is_help=True)


@app.command("check")
def check(
    directory: Annotated[Path, typer.Argument(exists=True, help="Rule file or folder.")],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every rule that did not compile.")
    ] = False,
) -> None:
    """Compile every rule; print how many compiled and why the rest did not (grouped)."""
    engine = Engine.from_paths([directory])
    total = len(engine.rules) + len(engine.issues)
    share = 100 * len(engine.rules) / total if total else 100.0
    console = stdout()
    console.print(f"{len(engine.rules)} of {total} rules compiled ({share:.1f}%)")
    for reason, count in Counter(i.reason for i in engine.issues).most_common():
        console.print(f"{count:6d}  {reason}")
    if verbose:
        for issue in engine.issues:
            console.print(f"{issue.rule_path} {issue.rule_id or '-'}: {issue.reason}")


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(exists=True, help="Rule files, folders (walked) or .zip archives."),
    ],
) -> None:
    """Import rules into the rulebook: new rules, new versions of changed ones, as one change."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        files = rulebook.files_from_paths(
            paths,
            max_bytes=platform.settings.rules_import_max_bytes,
            max_files=platform.settings.rules_import_max_files,
        )
        report = rulebook.import_files(session=session, actor=cli_actor(platform), files=files)
    out = stdout()
    for key, reason in report.not_compiled.items():
        out.print(f"not compiled: {key}: {reason}", markup=False)
    for name, reason in report.skipped.items():
        out.print(f"skipped {name}: {reason}", markup=False)
    out.print(
        f"{len(report.created)} new, {len(report.updated)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.not_compiled)} not compiling"
        + (f"; rulebook revision {report.revision}" if report.revision else ""),
        markup=False,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    level: Annotated[str | None, typer.Option("--level", help="Only this level.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only rules with this tag.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enabled/--disabled", help="Only enabled (disabled) rules.")
    ] = None,
    compiles: Annotated[
        bool | None,
        typer.Option("--compiles/--broken", help="Only rules that compile (that do not)."),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="Search in titles.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 200,
) -> None:
    """The rulebook's rules with their version, level, status and whether they run."""
    rule_filter = rulebook.RuleFilter(level, tag, status, enabled, compiles, text)
    with open_platform(ctx) as platform, platform.transaction() as session:
        page = rulebook.list_rules(
            session=session, actor=cli_actor(platform), rule_filter=rule_filter, limit=limit
        )
        table = Table("key", "v", "level", "status", "enabled", "title", "not compiled because")
        for rule in page.items:
            table.add_row(
                rule.key,
                str(rule.version),
                rule.level,
                rule.status,
                "yes" if rule.enabled else "no",
                rule.title,
                rule.reason or "",
            )
    out = stdout()
    out.print(table)
    out.print(f"{len(page.items)} of {page.total} shown; rulebook: {page.counts.total} rules")


@app.command("show")
def show(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="The rule's key (Sigma id) or id.")],
) -> None:
    """A rule's current text and its versions."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        detail = rulebook.get_rule(session=session, actor=cli_actor(platform), rule_id=rule)
        out = stdout()
        current = detail.rule
        state = "enabled" if current.enabled else "disabled"
        out.print(
            f"{current.title} ({current.key}), version {current.version}, {state}", markup=False
        )
        if current.reason:
            out.print(f"not compiled: {current.reason}", markup=False)
        for version in detail.versions:
            out.print(
                f"v{version.number}  {version.imported_at:%Y-%m-%d %H:%M}  {version.imported_by}"
                f"  {version.origin}  sha256 {version.sha256[:12]}",
                markup=False,
            )
        out.print(detail.versions[0].text, markup=False)


@app.command("diff")
def diff(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="The rule's key (Sigma id) or id.")],
    old: Annotated[int, typer.Argument(help="The older version number.")],
    new: Annotated[int, typer.Argument(help="The newer version number.")],
) -> None:
    """The unified diff between two versions of a rule."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        lines = rulebook.diff_versions(
            session=session, actor=cli_actor(platform), rule_id=rule, old=old, new=new
        )
    stdout().print("\n".join(lines), markup=False)


Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit trail).")]


def _set(ctx: typer.Context, rule: str, *, enabled: bool, reason: str) -> None:
    with open_platform(ctx) as platform, platform.transaction() as session:
        changed = rulebook.set_enabled(
            session=session, actor=cli_actor(platform), rule_id=rule, enabled=enabled, reason=reason
        )
        line = f"{changed.key}: {'enabled' if changed.enabled else 'disabled'}"
    stdout().print(line, markup=False)


@app.command("enable")
def enable(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="The rule's key (Sigma id) or id.")],
    reason: Reason,
) -> None:
    """Enable a rule (workers pick the change up before their next batch)."""
    _set(ctx, rule, enabled=True, reason=reason)


@app.command("disable")
def disable(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="The rule's key (Sigma id) or id.")],
    reason: Reason,
) -> None:
    """Disable a rule (workers pick the change up before their next batch)."""
    _set(ctx, rule, enabled=False, reason=reason)
