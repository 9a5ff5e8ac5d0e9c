"""events.updated_at: when a row last changed, kept by the database itself, so the map's points cache can fetch
only what changed since it last looked (services/events.py) whoever writes (ORM, bulk COPY, raw UPDATEs)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 00:00:00

The triggers are services/event_touch.py's. Existing rows get their reported_at.
"""

from alembic import op
import sqlalchemy as sa

from services.events import touch as event_touch
from services.store import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


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
    event_touch.install_triggers(op.get_bind())


def downgrade() -> None:
    event_touch.drop_triggers(op.get_bind())
    op.drop_index('ix_events_updated_at', table_name='events')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
