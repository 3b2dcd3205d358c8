"""One router per domain; ``ROUTERS`` is the order they are mounted in."""

from fenghuo.api.routes import (
    assets,
    audit,
    auth,
    docs,
    events,
    health,
    me,
    organisations,
    reference,
    sources,
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
)
