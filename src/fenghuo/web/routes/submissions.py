"""Sector submissions (Art. 52): the form a department submits with, the list, one report.

The form's times are typed in China Standard Time, as every time in the console is shown;
numbers of the scale are typed one per line as ``name: number``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from fenghuo.accounts import policy as accounts_policy
from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor, visibility
from fenghuo.monitoring import submissions
from fenghuo.monitoring.indicators import Tlp
from fenghuo.web import labels
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, choices, run_flow, text, values
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(submissions.VIEW))]
CreateAllowed = Annotated[Actor, Depends(requires(submissions.CREATE))]
PAGE_SIZE = 50
FIELDS = (
    "title",
    "observed",
    "sectors",
    "regions",
    "operators",
    "period_start",
    "period_end",
    "scale",
    "assessment",
    "measures",
    "tlp",
)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _scale(value: str, errors: FormErrors) -> dict[str, Any]:
    scale: dict[str, Any] = {}
    for line in value.splitlines():
        if not line.strip():
            continue
        name, sep, number = line.partition(":")
        if not sep:
            errors.fields.setdefault("scale", "scale-line")
            continue
        scale[name.strip()] = number.strip()
    return scale


def _read(form: FormData, errors: FormErrors) -> dict[str, Any]:
    return {
        "title": text(form, "title"),
        "observed": text(form, "observed"),
        "sectors": choices(form, "sectors"),
        "regions": _lines(text(form, "regions")),
        "operators": [line for line in text(form, "operators").splitlines() if line.strip()],
        "period_start": labels.typed_local(text(form, "period_start")),
        "period_end": labels.typed_local(text(form, "period_end")),
        "scale": _scale(text(form, "scale"), errors),
        "assessment": text(form, "assessment"),
        "measures": text(form, "measures"),
        "tlp": text(form, "tlp") or Tlp.amber.value,
    }


def _form(
    request: Request,
    renderer: RendererDep,
    shown: dict[str, Any],
    errors: FormErrors,
) -> Response:
    context = {
        "values": shown,
        "errors": errors,
        "sectors": list(accounts_policy.sectors().items()),
        "tlps": [(tlp.value, tlp.value) for tlp in Tlp],
    }
    status = errors.status if errors else 200
    return renderer.render(request, "submissions/form.html", context, status_code=status)


@router.get("/submissions/new")
def new_submission(request: Request, renderer: RendererDep, _actor: CreateAllowed) -> Response:
    """The form a department submits monitoring information with."""
    return _form(request, renderer, {"tlp": Tlp.amber.value, "sectors": []}, FormErrors())


@router.post("/submissions")
def submit(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: CreateAllowed,
) -> Response:
    """Record the submission, or show the form again with what was wrong beside each field."""
    errors = FormErrors()
    data = _read(form, errors)
    shown = {**values(form, *FIELDS), "sectors": data["sectors"]}
    if errors:
        errors.status = 422
        return _form(request, renderer, shown, errors)
    try:
        submission_in = submissions.SubmissionCreate.model_validate(data)
        created = run_flow(
            session,
            lambda: submissions.submit(session=session, actor=actor, submission_in=submission_in),
        )
    except ValidationError as exc:
        errors = FormErrors.from_exception(exc, known=FIELDS)
        if any(e["type"] == "value_error" and not e.get("loc") for e in exc.errors()):
            errors.fields.setdefault("period_end", "period-order")
        return _form(request, renderer, shown, errors)
    except FORM_ERRORS as exc:
        return _form(request, renderer, shown, FormErrors.from_exception(exc, known=FIELDS))
    return RedirectResponse(f"/submissions/{created.id}", status_code=303)


@router.get("/submissions")
def list_submissions(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed, page: int = 1
) -> Response:
    """Submissions of the departments within the actor's visibility, newest first."""
    page = max(page, 1)
    found, total = submissions.list_(
        session=session,
        scope=visibility(actor, submissions.VIEW),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "submissions": found,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }
    return renderer.render(request, "submissions/list.html", context)


@router.get("/submissions/{submission_id}")
def show_submission(
    submission_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """One submission, with who submitted it and when."""
    found = submissions.get(session=session, actor=actor, submission_id=submission_id)
    return renderer.render(request, "submissions/detail.html", {"submission": found})
