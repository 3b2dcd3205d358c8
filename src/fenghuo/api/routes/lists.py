"""The shape every list endpoint shares: paging, page models, and the scope it is filtered by.

A list shows what its action lets the actor see, never more: the visibility of the actor's
organisation when a grant reaches ``visible`` targets, only the actor's own subtree when the
grants reach ``own_org`` (operator staff reading their own people, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, Self, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel, Field

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 10_000_000

# Text a database column can hold on every dialect: no NUL or other control characters
# (PostgreSQL refuses NUL in text, so this is a 422 rather than a 500).
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Paging:
    """Where a page starts and how long it is."""

    limit: int
    offset: int


class Page(BaseModel, Generic[ItemT]):
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: list[ItemT]
    total: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Sequence[ItemT], total: int, paging: Paging) -> Self:
        """The page holding ``items`` of ``total``, as ``paging`` asked for."""
        return cls(items=list(items), total=total, limit=paging.limit, offset=paging.offset)


def paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Page length, at most {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Paging:
    """The ``limit`` and ``offset`` query parameters."""
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(paging)]
IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="An identifier.")]
SearchQuery = Annotated[
    str | None,
    Query(max_length=200, pattern=PLAIN_TEXT, description="Case-insensitive part of a name."),
]
