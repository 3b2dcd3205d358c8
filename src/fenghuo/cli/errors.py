"""The CLI's edge: a ``FenghuoError`` becomes one red line on stderr and exit code 1.

``FenghuoGroup`` is the root command's class; every subcommand runs inside its
``invoke``, so one ``try`` covers them all. Usage errors stay Click's (exit code 2).
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

from fenghuo.cli.output import stderr
from fenghuo.errors import (
    Conflict,
    FenghuoError,
    Invalid,
    InvalidTransition,
    NotFound,
    Refused,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


class AtLocation(FenghuoError):
    """An error in one part of an input file: where it is, and the error itself."""

    code = "invalid"

    def __init__(self, location: str, cause: FenghuoError) -> None:
        super().__init__(f"{location}: {cause.message}")
        self.location = location
        self.cause = cause


def describe(exc: FenghuoError) -> str:
    """One line that names the field or the rule, as the API's problem details do."""
    if isinstance(exc, AtLocation):
        return f"{exc.location}: {describe(exc.cause)}"
    if isinstance(exc, Invalid):
        return f"Invalid {exc.field}: {exc.message} (rule {exc.rule})"
    if isinstance(exc, Refused):
        basis = f", {exc.article}" if exc.article else ""
        return f"Refused: {exc.reason} (rule {exc.rule}{basis})"
    if isinstance(exc, Conflict):
        where = f" on {exc.field}" if exc.field else ""
        return f"Conflict{where}: {exc.message}"
    if isinstance(exc, NotFound):
        return f"Not found: {exc.message}"
    if isinstance(exc, InvalidTransition):
        return f"Invalid transition from {exc.current} to {exc.requested}: {exc.message}"
    return f"{exc.code.replace('_', ' ').capitalize()}: {exc.message}"


def describe_database_error(exc: DBAPIError) -> str:
    """The driver's first line, and the likely fix when the schema is missing."""
    text = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    hint = ""
    if "no such table" in text or "does not exist" in text:
        hint = " (is the database migrated? run `fenghuo db upgrade`)"
    return f"Database error: {text}{hint}"


def fail(line: str, code: int = 1) -> NoReturn:
    """Print ``line`` in red on stderr and exit with ``code``."""
    stderr().print(line, style="red", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def validated(model: type[ModelT], **data: Any) -> ModelT:
    """Build a pydantic input model; its first error becomes ``Invalid(field, rule)``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None


def invalid_from(exc: ValidationError) -> Invalid:
    """The first error of a pydantic validation, as the domain's ``Invalid``."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(input)"
    return Invalid(first["msg"], field=field, rule=first["type"])


class FenghuoGroup(TyperGroup):
    """The root command: runs every subcommand and reports Fenghuo's errors in one line."""

    # ``ctx`` is Click's context; Typer vendors Click in newer releases, so it is not named.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FenghuoError as exc:
            fail(describe(exc))
        except DBAPIError as exc:
            fail(describe_database_error(exc))
