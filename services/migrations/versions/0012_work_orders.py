"""work orders (工单): the citizen-request side of an event (services/hotline, Open311 GeoReport v2)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('work_orders',
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
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


def downgrade() -> None:
    op.drop_index('uq_work_orders_token', table_name='work_orders')
    op.drop_table('work_orders')
