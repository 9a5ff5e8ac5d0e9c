"""Department data in (issue 19): events are unique per (source, external_id) instead of by external_id alone,
events get a title, dispatches the department's note, applications the platform's id and the statutory deadline

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00

On SQLite the events table is rebuilt to drop its unnamed UNIQUE(external_id); that drops its triggers, so the
updated_at touch triggers (migration 0008) are installed again.
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
# Migration 0008's SQLite touch triggers as they are at this revision (frozen: never import the live module).
_SQLITE_TOUCH = ("UPDATE events SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000' "
                 "WHERE id = NEW.id")
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER events_touch_insert AFTER INSERT ON events BEGIN {_SQLITE_TOUCH}; END",
    f"CREATE TRIGGER events_touch_update AFTER UPDATE ON events WHEN NEW.updated_at IS OLD.updated_at "
    f"BEGIN {_SQLITE_TOUCH}; END",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        with op.batch_alter_table('events', recreate='always', naming_convention=SQLITE_NAMES) as batch_op:
            batch_op.drop_constraint('uq_events_external_id', type_='unique')
            batch_op.add_column(sa.Column('title', sa.String(length=128), nullable=True))
            batch_op.alter_column('source', type_=sa.String(length=32), existing_nullable=False)
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        op.drop_constraint('events_external_id_key', 'events', type_='unique')
        op.alter_column('events', 'source', type_=sa.String(length=32))
        op.add_column('events', sa.Column('title', sa.String(length=128), nullable=True))
    op.create_index('uq_events_source_external_id', 'events', ['source', 'external_id'], unique=True)
    op.add_column('event_dispatches', sa.Column('note', sa.Text(), nullable=True))
    op.add_column('applications', sa.Column('external_id', sa.String(length=64), nullable=True))
    op.add_column('applications', sa.Column('statutory_due_at', UTCDateTime(timezone=True), nullable=True))
    op.create_index('uq_applications_external_id', 'applications', ['external_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_applications_external_id', table_name='applications')
    with op.batch_alter_table('applications') as batch_op:
        batch_op.drop_column('statutory_due_at')
        batch_op.drop_column('external_id')
    with op.batch_alter_table('event_dispatches') as batch_op:
        batch_op.drop_column('note')
    op.drop_index('uq_events_source_external_id', table_name='events')
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('events') as batch_op:
        batch_op.drop_column('title')
        # the name upgrade() drops on each dialect: PostgreSQL's default, SQLite's by SQLITE_NAMES
        batch_op.create_unique_constraint('uq_events_external_id' if sqlite else 'events_external_id_key',
                                          ['external_id'])
    if sqlite:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
