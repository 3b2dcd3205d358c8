"""Database engine, sessions, the declarative base and migrations (SQLAlchemy 2 + Alembic).

The same models and migrations run on SQLite (embedded default) and PostgreSQL (scale-out).
The edge that starts a state change opens ``with session.begin():``; services only flush.
"""

from fenghuo.store.base import Base, TimestampMixin, UTCDateTime, new_id
from fenghuo.store.engine import make_engine, make_session_factory

__all__ = ["Base", "TimestampMixin", "UTCDateTime", "make_engine", "make_session_factory", "new_id"]
