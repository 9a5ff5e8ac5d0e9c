"""dispatch rollup: dispatches and events summed per hour, department and district for the leaders' response
figures and rankings, filled from the stored events and kept by triggers; a partial index of the open dispatches

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-02 16:00:00

The migration carries its own SQL: the fill and the triggers in services/migrations/sql/0022_dispatch_rollup.<dialect>.sql
(generated from services/events/rollup.py and frozen there), the cell columns below.
"""

from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parents[1] / "sql"
COUNTS = ('dispatches', 'arrived', 'cases', 'cases_late')
SUMS = ('dispatch_s', 'arrival_s')
OPEN = 'finished_at IS NULL'
TRIGGERS = {'sqlite': ('dispatch_rollup_dispatch_insert', 'dispatch_rollup_dispatch_delete',
                       'dispatch_rollup_dispatch_update', 'dispatch_rollup_event_insert',
                       'dispatch_rollup_event_delete', 'dispatch_rollup_event_update'),
            'postgresql': ('dispatch_rollup_dispatches_insert ON event_dispatches',
                           'dispatch_rollup_dispatches_delete ON event_dispatches',
                           'dispatch_rollup_dispatches_update ON event_dispatches',
                           'dispatch_rollup_events_insert ON events', 'dispatch_rollup_events_update ON events',
                           'dispatch_rollup_events_delete ON events')}
FUNCTIONS = ('dispatch_rollup_dispatches()', 'dispatch_rollup_events()', 'dispatch_rollup_event_gone()')


def upgrade() -> None:
    op.create_table(
        'dispatch_rollup',
        sa.Column('level', sa.SmallInteger(), primary_key=True),
        sa.Column('bucket', sa.BigInteger(), primary_key=True),
        sa.Column('department', sa.String(length=32), primary_key=True),
        sa.Column('district', sa.String(length=12), primary_key=True),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0') for name in COUNTS],
        *[sa.Column(name, sa.Float(), nullable=False, server_default='0') for name in SUMS],
        sqlite_with_rowid=False,
    )
    op.create_index('ix_dispatches_open', 'event_dispatches', ['event_id', 'department', 'dispatched_at'],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    dialect = op.get_bind().dialect.name
    script = (SQL / f'0022_dispatch_rollup.{dialect}.sql').read_text(encoding='utf-8')
    for statement in script.splitlines():  # one statement a line; the triggers' bodies hold semicolons
        if statement and not statement.startswith('--'):
            op.execute(sa.text(statement))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in TRIGGERS[dialect]:
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    if dialect == 'postgresql':
        for function in FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    op.drop_table('dispatch_rollup')
    op.drop_index('ix_dispatches_open', table_name='event_dispatches')
