"""``fenghuo hunt``: read-only SQL over the event archive (as the local operator, audited)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import orjson
import typer
from rich.table import Table

from fenghuo import clock
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import stderr, stdout
from fenghuo.errors import Invalid
from fenghuo.monitoring import hunting


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Invalid(f"not an ISO 8601 time: {exc}", field=option, rule="time") from None
    return clock.as_utc(moment)  # a time without a zone is read as UTC


def hunt(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="One SELECT over the table events (DuckDB SQL).")],
    since: Annotated[
        str | None, typer.Option("--since", help="From (ISO 8601; default: a day before --until).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to, not including (ISO 8601; default: now).")
    ] = None,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="At most this many rows.")
    ] = hunting.DEFAULT_ROWS,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer as JSON instead of a table.")
    ] = False,
) -> None:
    """Run a read-only SQL query over the archived events of a time range."""
    end = _time(until, "--until") or clock.now()
    start = _time(since, "--since") or end - timedelta(days=1)
    with open_platform(ctx) as platform, platform.transaction() as session:
        result = hunting.hunt(
            session=session,
            actor=cli_actor(platform),
            settings=platform.settings,
            sql=sql,
            since=start,
            until=end,
            max_rows=max_rows,
        )
    if as_json:
        typer.echo(
            orjson.dumps(
                {
                    "columns": result.columns,
                    "rows": result.rows,
                    "truncated": result.truncated,
                    "elapsed_ms": result.elapsed_ms,
                    "files_scanned": result.files_scanned,
                },
                default=str,
            ).decode()
        )
        return
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    stdout().print(table)
    more = " (more rows were cut: raise --max-rows)" if result.truncated else ""
    stderr().print(
        f"{len(result.rows)} rows, {result.files_scanned} files, {result.elapsed_ms} ms{more}",
        markup=False,
    )
