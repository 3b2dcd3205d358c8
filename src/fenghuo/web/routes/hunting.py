"""Hunting: read-only SQL over the event archive, within the user's visibility, with row
and time limits (DuckDB); every query run is an audit record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor
from fenghuo.monitoring import hunting
from fenghuo.web import labels
from fenghuo.web.forms import (
    FORM_ERRORS,
    FormDep,
    FormErrors,
    Problem,
    run_flow,
    secret,
    text,
    values,
)
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
HuntAllowed = Annotated[Actor, Depends(requires(hunting.HUNT))]
FIELDS = ("sql", "since", "until", "max_rows")
EXAMPLE = (
    "SELECT host, process_image, count(*) AS events\n"
    "FROM events\n"
    "WHERE process_command_line ILIKE '%-enc%'\n"
    "GROUP BY host, process_image\n"
    "ORDER BY events DESC"
)


def _shown_default() -> dict[str, str]:
    now = labels.now().astimezone(labels.DISPLAY_TZ)
    return {
        "sql": EXAMPLE,
        "since": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "until": now.strftime("%Y-%m-%dT%H:%M"),
        "max_rows": "100",
    }


@router.get("/hunting")
def hunting_page(request: Request, renderer: RendererDep, _actor: HuntAllowed) -> Response:
    """The query form, with an example over the last day."""
    context = {"values": _shown_default(), "errors": FormErrors(), "result": None}
    return renderer.render(request, "hunting/index.html", context)


@router.post("/hunting")
def run_hunt(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: HuntAllowed,
) -> Response:
    """Run the query; the answer, or what is wrong beside the field."""
    shown = {**values(form, *FIELDS), "sql": secret(form, "sql")}
    errors = FormErrors()
    since, until = labels.typed_local(text(form, "since")), labels.typed_local(text(form, "until"))
    rows = text(form, "max_rows")
    for name, parsed in (("since", since), ("until", until)):
        if not isinstance(parsed, datetime):
            errors.fields[name] = "time"
    if not rows.isdigit():
        errors.fields["max_rows"] = "int_parsing"
    result: Any = None
    if not errors and isinstance(since, datetime) and isinstance(until, datetime):
        try:
            result = run_flow(
                session,
                lambda: hunting.hunt(
                    session=session,
                    actor=actor,
                    settings=settings,
                    sql=shown["sql"],
                    since=since,
                    until=until,
                    max_rows=int(rows),
                ),
            )
        except FORM_ERRORS as exc:
            errors = FormErrors.from_exception(exc, known=FIELDS)
            if "sql" in errors.fields:
                errors.problems.append(_reason(exc))
    if errors and errors.status == 200:
        errors.status = 422
    context = {"values": shown, "errors": errors, "result": result}
    status = errors.status if errors else 200
    return renderer.render(request, "hunting/index.html", context, status_code=status)


def _reason(exc: Exception) -> Problem:
    """DuckDB's own message, shown under the rule, so the analyst can fix the query."""
    return Problem(rule=getattr(exc, "rule", "sql-error"), reason=str(exc))
