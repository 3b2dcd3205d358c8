"""Forms: read the posted fields, run the flow, and show what was wrong beside each field.

A flow runs inside a savepoint, so a rejected form leaves nothing behind even when the
flow had already flushed part of its change; the request's transaction then commits
nothing but what came before (a failed sign-in's counter, for instance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from fenghuo.errors import Conflict, Invalid, InvalidTransition, Refused

T = TypeVar("T")


async def read_form(request: Request) -> FormData:
    """The posted form (read once; Starlette keeps it for the CSRF check and the route)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


@dataclass(frozen=True)
class Problem:
    """A problem with the form as a whole: the rule, the domain's reason, the article."""

    rule: str
    reason: str = ""
    article: str | None = None


@dataclass
class FormErrors:
    """What was wrong: a rule code per field, and problems that belong to no one field."""

    fields: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    status: int = 200

    def __bool__(self) -> bool:
        return bool(self.fields or self.problems)

    def add(self, name: str | None, rule: str, reason: str = "", *, known: Iterable[str]) -> None:
        """Record ``rule`` against field ``name`` (or the whole form if it has no such field).

        An item of a list field (``regions.0``) is shown beside the list's field.
        """
        names = set(known)
        if name and name not in names and name.split(".")[0] in names:
            name = name.split(".")[0]
        if name and name in names:
            self.fields.setdefault(name, rule)
        else:
            self.problems.append(Problem(rule=rule, reason=reason))

    @classmethod
    def from_exception(cls, exc: Exception, *, known: Iterable[str]) -> FormErrors:
        """The errors a flow's ``Invalid``, ``Conflict``, ``Refused`` or pydantic error names."""
        errors = cls()
        names = list(known)
        if isinstance(exc, ValidationError):
            errors.status = 422
            for error in exc.errors():
                loc = error.get("loc") or ()
                errors.add(str(loc[0]) if loc else None, error["type"], error["msg"], known=names)
        elif isinstance(exc, Invalid):
            errors.status = 422
            errors.add(exc.field, exc.rule, exc.message, known=names)
        elif isinstance(exc, Conflict):
            errors.status = 409
            errors.add(exc.field, "unique", exc.message, known=names)
        elif isinstance(exc, Refused):
            errors.status = 403
            errors.problems.append(Problem(exc.rule, exc.reason, exc.article))
        elif isinstance(exc, InvalidTransition):
            errors.status = 409
            errors.problems.append(Problem("invalid-transition", str(exc)))
        else:
            raise TypeError(f"not a form error: {exc!r}") from exc
        return errors


FORM_ERRORS = (ValidationError, Invalid, Conflict, Refused, InvalidTransition)


def run_flow(session: Session, call: Callable[[], T]) -> T:
    """Run ``call`` in a savepoint: if it raises, everything it changed is undone."""
    with session.begin_nested():
        return call()


def text(form: FormData, name: str) -> str:
    """A text field, stripped ("" when absent)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def secret(form: FormData, name: str) -> str:
    """A password field, exactly as typed ("" when absent)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    """A text field, or None when it is empty."""
    return text(form, name) or None


def checked(form: FormData, name: str) -> bool:
    """Whether a checkbox was ticked."""
    return form.get(name) is not None


def choices(form: FormData, name: str) -> list[str]:
    """Every value of a multi-valued field (checkboxes)."""
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


def values(form: FormData, *names: str) -> dict[str, str]:
    """The posted text of ``names``, to refill a form that is shown again."""
    return {name: text(form, name) for name in names}
