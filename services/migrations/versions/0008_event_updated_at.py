"""events.updated_at: when a row last changed, kept by the database itself, so the map's points cache can fetch
only what changed since it last looked (services/events.py) whoever writes (ORM, bulk COPY, raw UPDATEs)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 00:00:00

PostgreSQL: a BEFORE INSERT OR UPDATE row trigger sets clock_timestamp() (the moment of the write, not the
transaction's start, so a long transaction's rows do not look older than they are). SQLite: ALTER TABLE ADD COLUMN
accepts only a constant default, and recreating `events` would cascade-delete its dispatches (foreign keys are on),
so AFTER INSERT and AFTER UPDATE triggers set it by id (recursive triggers are off by default; the WHEN clause
stops a second round anyway). Existing rows get their reported_at.
"""

from alembic import op
import sqlalchemy as sa

from services.db import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# SQLAlchemy's own text form of a UTC timestamp on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff"), so stored values compare
# as text with the ones it binds
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
SQLITE_TOUCH = "UPDATE events SET updated_at = " + SQLITE_NOW + " WHERE id = NEW.id"
TRIGGERS = {
    'sqlite': [
        f"CREATE TRIGGER events_touch_insert AFTER INSERT ON events BEGIN {SQLITE_TOUCH}; END",
        f"CREATE TRIGGER events_touch_update AFTER UPDATE ON events WHEN NEW.updated_at IS OLD.updated_at "
        f"BEGIN {SQLITE_TOUCH}; END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
        "CREATE TRIGGER events_touch BEFORE INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_touch()",
    ],
}
DROPS = {
    'sqlite': ["DROP TRIGGER IF EXISTS events_touch_insert", "DROP TRIGGER IF EXISTS events_touch_update"],
    'postgresql': ["DROP TRIGGER IF EXISTS events_touch ON events", "DROP FUNCTION IF EXISTS events_touch()"],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    default = "'1970-01-01 00:00:00.000000'" if dialect == 'sqlite' else 'CURRENT_TIMESTAMP'
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False,
                                      server_default=sa.text(default)))
    # the index before the backfill: built after it, PostgreSQL would keep it from use (indcheckxmin) until every
    # transaction older than the migration's has ended
    op.create_index('ix_events_updated_at', 'events', ['updated_at'])
    op.execute("UPDATE events SET updated_at = reported_at")
    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index('ix_events_updated_at', table_name='events')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
