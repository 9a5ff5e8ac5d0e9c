"""events.updated_at: when a row last changed, kept by the database itself, so the map's points cache can fetch
only what changed since it last looked (services/events.py) whoever writes (ORM, bulk COPY, raw UPDATEs)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 00:00:00

The triggers are services/events/touch.py's as they stood at this revision, copied here so that editing that module
never changes what this migration does on a fresh install. Existing rows get their reported_at.
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_SQLITE_TOUCH = ("UPDATE events SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000' "
                 "WHERE id = NEW.id")
INSTALL = {
    'sqlite': [
        f"CREATE TRIGGER events_touch_insert AFTER INSERT ON events BEGIN {_SQLITE_TOUCH}; END",
        f"CREATE TRIGGER events_touch_update AFTER UPDATE ON events WHEN NEW.updated_at IS OLD.updated_at "
        f"BEGIN {_SQLITE_TOUCH}; END",
    ],
    'postgresql': [
        "CREATE OR REPLACE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
        "CREATE TRIGGER events_touch BEFORE INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_touch()",
    ],
}
DROP = {
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
    for statement in INSTALL[dialect]:
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(sa.text(statement))
    op.drop_index('ix_events_updated_at', table_name='events')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
