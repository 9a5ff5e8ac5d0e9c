"""Alembic environment: run against the connection `services.store.migrate` hands over (or ONESCREEN_DATABASE_URL)."""

from alembic import context
from sqlalchemy import Connection, create_engine

from services.store import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from services.config import Settings

    with create_engine(Settings().database_url).begin() as own_connection:
        _run(own_connection)
