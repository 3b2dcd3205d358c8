"""Imports every domain's models so that Alembic and the schema test see all tables."""

from __future__ import annotations

from sqlalchemy import MetaData


def metadata() -> MetaData:
    """The metadata of every table in Fenghuo."""
    import fenghuo.accounts.models
    import fenghuo.audit.models
    import fenghuo.bus.outbox
    import fenghuo.detection.correlation_models
    import fenghuo.detection.models
    import fenghuo.detection.rulebook_models
    import fenghuo.incidents.models
    import fenghuo.monitoring.indicators_models
    import fenghuo.monitoring.models
    import fenghuo.monitoring.submissions_models
    import fenghuo.monitoring.vulnerabilities_models
    import fenghuo.notification.models
    import fenghuo.plans.models
    import fenghuo.risk.models
    import fenghuo.warnings.models  # noqa: F401
    from fenghuo.store.base import Base

    return Base.metadata
