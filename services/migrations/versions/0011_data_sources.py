"""the data-source registry: data_sources, source_volumes, source_files (services/sources)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_sources',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name_zh', sa.String(length=128), nullable=False),
    sa.Column('name_en', sa.String(length=128), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('cadence_s', sa.Integer(), nullable=True),
    sa.Column('indicators', sa.Text(), nullable=False),
    sa.Column('cursor', sa.Text(), nullable=True),
    sa.Column('last_delivery_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('source_volumes',
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('hour', UTCDateTime(timezone=True), nullable=False),
    sa.Column('deliveries', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['data_sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id', 'target', 'hour')
    )
    op.create_index('ix_source_volumes_hour', 'source_volumes', ['hour'])
    op.create_table('source_files',
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('stored_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['data_sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id', 'digest')
    )


def downgrade() -> None:
    op.drop_table('source_files')
    op.drop_index('ix_source_volumes_hour', table_name='source_volumes')
    op.drop_table('source_volumes')
    op.drop_table('data_sources')
