"""One router per domain; ``ROUTERS`` is the order they are mounted in."""

from fenghuo.api.routes import (
    assets,
    audit,
    auth,
    detections,
    docs,
    events,
    health,
    indicators,
    me,
    organisations,
    reference,
    sources,
    submissions,
    tokens,
    users,
)

ROUTERS = (
    health.router,
    docs.router,
    auth.router,
    me.router,
    organisations.router,
    users.router,
    tokens.router,
    audit.router,
    reference.router,
    sources.router,
    events.router,
    assets.router,
    detections.router,
    indicators.router,
    submissions.router,
)
