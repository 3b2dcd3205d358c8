"""One router per domain; ``ROUTERS`` is the order they are mounted in."""

from fenghuo.api.routes import (
    audit,
    auth,
    docs,
    health,
    me,
    organisations,
    reference,
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
)
