"""``fenghuo plans``: classify a report offline, import, export and list emergency plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fenghuo import yaml_lines
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import stdout
from fenghuo.plans import flows, loader
from fenghuo.plans import service as plan_service
from fenghuo.plans.assessment import assess
from fenghuo.plans.schema import PlanDocument

app = typer.Typer(
    help="Emergency plans (Art. 53): classify a report, import, export and list plans.",
    no_args_is_help=True,
)


def _read_report(path: Path) -> dict[str, object]:
    doc = yaml_lines.load(path.read_text(encoding="utf-8"), name=path.name)
    if not isinstance(doc.data, dict):
        raise doc.invalid((), "a report must be a mapping of inputs", rule="report-shape")
    return doc.data


def _plan_for(ctx: typer.Context, plan: str | None) -> tuple[PlanDocument, dict[str, object]]:
    """The packaged plan (no --plan), a plan YAML file, or a stored plan of the database."""
    if plan is None:
        return loader.packaged(), {"name": loader.NATIONAL, "version": None, "from": "packaged"}
    path = Path(plan)
    if path.is_file():
        document = loader.parse(path.read_text(encoding="utf-8"), name=path.name)
        return document, {"name": document.name, "version": None, "from": str(path)}
    with open_platform(ctx) as platform, platform.transaction() as session:
        view = flows.get_version(session=session, actor=cli_actor(platform), name=plan)
    return view.document, {"name": view.name, "version": view.version, "from": "database"}


@app.command("classify")
def classify(
    ctx: typer.Context,
    report: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="The report: impact inputs, operator_type, discovered_at.",
        ),
    ],
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            help="A plan YAML file, or the name of a stored plan (needs the database); "
            "default: the packaged national plan, offline.",
        ),
    ] = None,
) -> None:
    """Print the level, the reasons and the reporting deadlines of a report, as JSON."""
    data = _read_report(report)
    document, origin = _plan_for(ctx, plan)
    answer = {"plan": origin, **assess(document, data)}
    typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A plan YAML file.")],
) -> None:
    """Store the file as the next version of its plan and make it active (audited)."""
    text = file.read_text(encoding="utf-8")
    loader.parse(text, name=file.name)  # refuse a bad file before touching the database
    with open_platform(ctx) as platform, platform.transaction() as session:
        view = flows.import_plan(
            session=session, actor=cli_actor(platform), yaml_text=text, source_name=file.name
        )
    stdout().print(f"{view.name}: version {view.version} imported and active.", markup=False)


@app.command("export")
def export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The plan's name, e.g. national.")],
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="A version number; default: active.")
    ] = None,
) -> None:
    """Print a version of a plan as the YAML it was imported from."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        view = flows.get_version(
            session=session, actor=cli_actor(platform), name=name, version=version
        )
    typer.echo(view.yaml_text, nl=not view.yaml_text.endswith("\n"))


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every plan with its owner and active version (installs the national plan if missing)."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        actor = cli_actor(platform)
        table = Table("plan", "owner", "active version", "versions", "title")
        for plan in flows.visible_plans(session=session, actor=actor):
            active = plan_service.active_plan(session, plan.name)
            owner = plan.owner.name_en if plan.owner else plan.owner_kind
            table.add_row(
                plan.name,
                owner,
                str(active.version),
                str(plan.latest_version),
                active.document.title.en,
            )
    stdout().print(table)
