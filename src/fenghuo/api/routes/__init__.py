"""One router per domain; ``ROUTERS`` is the order they are mounted in."""

from fenghuo.api.routes import health

ROUTERS = (health.router,)
