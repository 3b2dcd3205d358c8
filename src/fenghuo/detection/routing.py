"""Logsource routing as data: which events a rule of a given category/product/service sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from sigma.rule import SigmaLogSource

from fenghuo.detection.strings import Unsupported


@dataclass(frozen=True)
class Source:
    """One stream of events: a channel (None = any), EventIDs (None = all) and field renames."""

    channel: str | None
    event_ids: frozenset[str] | None = None
    where: tuple[tuple[str, str], ...] = ()
    renames: tuple[tuple[str, str], ...] = ()

    def accepts(self, channel: str, event_id: str) -> bool:
        """Whether an event's (lower-cased) channel and EventID belong to this source."""
        if self.channel is not None and channel != self.channel:
            return False
        return self.event_ids is None or event_id in self.event_ids

    def event_field(self, rule_field: str) -> str:
        """The event field holding a rule field on this source."""
        return dict(self.renames).get(rule_field, rule_field)


@dataclass
class Routing:
    """Sources are interned so rules on the same logsource share one evaluation frame."""

    categories: dict[str, list[Source]]
    services: dict[str, list[Source]]
    sources: list[Source] = field(default_factory=list)
    _memo: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)

    def intern(self, source: Source) -> int:
        """Index of a source, adding it on first use."""
        if source not in self.sources:
            self.sources.append(source)
            self._memo.clear()
        return self.sources.index(source)

    def sources_for(self, logsource: SigmaLogSource) -> list[int]:
        """Source indices for a rule's logsource, or Unsupported with the reason."""
        product, category, service = logsource.product, logsource.category, logsource.service
        if product not in (None, "windows"):
            raise Unsupported(f"no event routing for product {product!r}")
        found: list[Source]
        if category is not None:
            if category not in self.categories:
                raise Unsupported(f"no event routing for category {category!r}")
            found = self.categories[category]
        elif service is not None:
            if service not in self.services:
                raise Unsupported(f"no event routing for service {service!r}")
            found = self.services[service]
        elif product == "windows":
            found = [Source(channel=None)]
        else:
            raise Unsupported("logsource names no product, category or service")
        return [self.intern(s) for s in found]

    def route(self, channel: str, event_id: str) -> tuple[int, ...]:
        """Indices of the sources an event belongs to (memoised per channel and EventID)."""
        key = (channel, event_id)
        hit = self._memo.get(key)
        if hit is None:
            hit = tuple(i for i, s in enumerate(self.sources) if s.accepts(channel, event_id))
            self._memo[key] = hit
        return hit


def _source(spec: Mapping[str, Any]) -> Source:
    ids = spec.get("event_ids")
    return Source(
        channel=str(spec["channel"]).lower(),
        event_ids=frozenset(str(i) for i in ids) if ids is not None else None,
        where=tuple((str(k), str(v)) for k, v in (spec.get("where") or {}).items()),
        renames=tuple((str(k), str(v)) for k, v in (spec.get("renames") or {}).items()),
    )


def load_routing(text: str | None = None) -> Routing:
    """Read the routing table (the packaged logsources.yaml unless text is given)."""
    if text is None:
        text = resources.files("fenghuo.detection").joinpath("logsources.yaml").read_text()
    data = yaml.safe_load(text)
    return Routing(
        categories={k: [_source(s) for s in v] for k, v in data["categories"].items()},
        services={k: [Source(channel=c.lower()) for c in v] for k, v in data["services"].items()},
    )
