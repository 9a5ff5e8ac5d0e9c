"""approvals rollup: cells per hour / day, matter, district and channel, and the open work with its yellow-card
moment, kept by triggers; partial indexes for the raw reads the rollup cannot serve

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:45:00
"""

from alembic import op
import sqlalchemy as sa

from services.approvals import rollup as approval_rollup
from services.store import ROLLUP_COMPLETED, ROLLUP_RECEIVED, UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

PARTIAL_INDEXES = {
    'ix_applications_bad_reviews': (['completed_at', 'matter_code', 'district', 'channel', 'rating_followup'],
                                    'rating <= 2'),
    'ix_applications_returns': (['submitted_at', 'matter_code', 'district', 'channel', 'return_reason'],
                                'return_reason IS NOT NULL'),
    'ix_applications_bundle_cases': (['submitted_at', 'bundle_case', 'matter_code', 'district', 'channel',
                                      'completed_at'], 'bundle_case IS NOT NULL'),
}


def upgrade() -> None:
    op.create_table(
        'approval_rollup',
        sa.Column('level', sa.SmallInteger(), primary_key=True),
        sa.Column('bucket', sa.BigInteger(), primary_key=True),
        sa.Column('matter_code', sa.String(length=32), primary_key=True),
        sa.Column('district', sa.String(length=12), primary_key=True),
        sa.Column('channel', sa.String(length=12), primary_key=True),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0')
          for name in (*ROLLUP_RECEIVED, *ROLLUP_COMPLETED)],
        sqlite_with_rowid=False,
    )
    op.create_table(
        'approval_open_work',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True, autoincrement=False),
        sa.Column('matter_code', sa.String(length=32), nullable=False),
        sa.Column('district', sa.String(length=12), nullable=True),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('yellow_at', sa.Float(), nullable=True),
    )
    op.create_index('ix_approval_open_work_due_at', 'approval_open_work', ['due_at'])
    op.create_index('ix_approval_open_work_yellow_at', 'approval_open_work', ['yellow_at'])
    for name, (columns, where) in PARTIAL_INDEXES.items():
        op.create_index(name, 'applications', columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    connection = op.get_bind()
    approval_rollup.rebuild(connection)
    approval_rollup.install_triggers(connection)


def downgrade() -> None:
    approval_rollup.drop_triggers(op.get_bind())
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS approval_rollup_apply()')
    for name in PARTIAL_INDEXES:
        op.drop_index(name, table_name='applications')
    op.drop_table('approval_open_work')
    op.drop_table('approval_rollup')
