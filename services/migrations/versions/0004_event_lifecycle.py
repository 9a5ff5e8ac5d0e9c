"""event lifecycle history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:05:00
"""

from alembic import op
import sqlalchemy as sa
import services.store  # noqa: F401  (column types)


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_transitions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('at', services.store.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_transitions', schema=None) as batch_op:
        batch_op.create_index('ix_event_transitions_event_at', ['event_id', 'at'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_map_points', ['reported_at', 'lat', 'lon', 'status', 'severity', 'category'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_map_points')
    with op.batch_alter_table('event_transitions', schema=None) as batch_op:
        batch_op.drop_index('ix_event_transitions_event_at')
    op.drop_table('event_transitions')
