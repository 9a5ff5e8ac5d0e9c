"""approvals rollup: cells per hour / day, matter, district and channel, and the open work with its yellow-card
moment, kept by triggers; partial indexes for the raw reads the rollup cannot serve

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:45:00

The migration carries its own SQL: the fill and the triggers in services/migrations/sql/0006_approval_rollup.<dialect>.sql
(generated from services/approvals/rollup.py and frozen there), the cell columns below. Editing the live rollup
module never changes what this migration does on a fresh install; a change to the rollup is a new migration.
"""

from pathlib import Path

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parents[1] / "sql"
ROLLUP_RECEIVED = ('received', 'visits', 'at_most_one_visit', 'no_visit', 'returned', 'fully_online')
ROLLUP_COMPLETED = ('completed', 'with_due', 'on_time', 'rating_1', 'rating_2', 'rating_3', 'rating_4', 'rating_5',
                    *(f'h_{b}' for b in (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 84,
                                         96, 120, 144, 168, 192, 240, 288, 336, 408, 480, 576, 720, 864, 1080, 1440)),
                    *(f'pct_{b}' for b in (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160,
                                           170, 180, 190, 200, 250, 300, 400)))
TRIGGERS = ('approval_rollup_insert', 'approval_rollup_delete', 'approval_rollup_update_received',
            'approval_rollup_update_completed', 'approval_rollup_update_open', 'approval_rollup_update')
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
    dialect = op.get_bind().dialect.name
    script = (SQL / f'0006_approval_rollup.{dialect}.sql').read_text(encoding='utf-8')
    for statement in script.splitlines():  # one statement a line; the triggers' bodies hold semicolons
        if statement and not statement.startswith('--'):
            op.execute(sa.text(statement))


def downgrade() -> None:
    suffix = '' if op.get_bind().dialect.name == 'sqlite' else ' ON applications'
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}{suffix}')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS approval_rollup_apply()')
    for name in PARTIAL_INDEXES:
        op.drop_index(name, table_name='applications')
    op.drop_table('approval_open_work')
    op.drop_table('approval_rollup')
