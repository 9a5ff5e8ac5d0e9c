"""the 12345 hotline: work orders (工单), the citizen-request side of an event (Open311 GeoReport v2), and the
calls the telephone system reports (services/hotline)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_orders',
    sa.Column('event_id', BIG_ID, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('token', sa.String(length=36), nullable=False),
    sa.Column('media_url', sa.String(length=1024), nullable=True),
    sa.Column('email', sa.String(length=128), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_index('uq_work_orders_token', 'work_orders', ['token'], unique=True)
    op.create_table('hotline_calls',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('wait_s', sa.Float(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('talk_s', sa.Float(), nullable=True),
    sa.Column('agent', sa.String(length=32), nullable=True),
    sa.Column('queue', sa.String(length=32), nullable=True),
    sa.Column('caller_key', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_hotline_calls_source_external_id', 'hotline_calls', ['source', 'external_id'], unique=True)
    op.create_index('ix_hotline_calls_started_at', 'hotline_calls', ['started_at'])


def downgrade() -> None:
    op.drop_index('ix_hotline_calls_started_at', table_name='hotline_calls')
    op.drop_index('uq_hotline_calls_source_external_id', table_name='hotline_calls')
    op.drop_table('hotline_calls')
    op.drop_index('uq_work_orders_token', table_name='work_orders')
    op.drop_table('work_orders')
