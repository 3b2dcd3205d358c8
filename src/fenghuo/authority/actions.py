"""The shape of an authority action. Each domain declares its own in ``<domain>/actions.py``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    """An action someone may be allowed to take; ``name`` is ``domain.object.verb``."""

    name: str
    description: str
    article: str | None = None
    public: bool = False
    changes_state: bool = True

    def __post_init__(self) -> None:
        parts = self.name.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            raise ValueError(f"action name {self.name!r} must be dotted identifiers")
