"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from fenghuo.store import models_registry
from fenghuo.store.migrations import current_revision


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, models_registry.metadata())
    assert differences == []


def test_database_is_at_the_latest_revision(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from fenghuo.store.migrations import alembic_config

    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    assert current_revision(engine) == head
