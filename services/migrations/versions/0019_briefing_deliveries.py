"""briefing_deliveries: each scheduled briefing's delivery per period, channel and target (unique: sent once)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 12:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('briefing_deliveries',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('briefing', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_first', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('attempted_at', UTCDateTime(), nullable=True),
    sa.Column('delivered_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'))
    op.create_index('uq_briefing_deliveries_once', 'briefing_deliveries',
                    ['briefing', 'period_first', 'channel', 'target'], unique=True)
    op.create_index('ix_briefing_deliveries_state_next', 'briefing_deliveries', ['state', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_briefing_deliveries_state_next', table_name='briefing_deliveries')
    op.drop_index('uq_briefing_deliveries_once', table_name='briefing_deliveries')
    op.drop_table('briefing_deliveries')
