"""hotline rollup: work orders summed per reported hour, district, category and channel (and per department, per grid cell), and
the orders whose reply or close is still due, kept by triggers; filled from the orders present

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:30:00

The migration carries its own SQL: the fill and the triggers in services/migrations/sql/0021_hotline_rollup.<dialect>.sql
(generated from services/hotline/rollup.py and frozen there). A change to the rollup is a new migration.
"""

from pathlib import Path

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parents[1] / "sql"
MEASURES = ('orders', 'replied_with_due', 'replied_on_time', 'closed_with_sla', 'closed_on_time', 'followed_up',
            'rated', 'satisfied', 'basic', 'dissatisfied', 'repeats')
TRIGGERS = {'hotline_rollup_order_insert': 'work_orders', 'hotline_rollup_order_update': 'work_orders',
            'hotline_rollup_order_delete': 'work_orders', 'hotline_rollup_dispatch_insert': 'event_dispatches',
            'hotline_rollup_dispatch_update': 'event_dispatches', 'hotline_rollup_dispatch_delete': 'event_dispatches',
            'hotline_rollup_event_update': 'events', 'hotline_rollup_event_delete': 'events'}
FUNCTIONS = ('hotline_rollup_refresh(bigint)', 'hotline_rollup_order()', 'hotline_rollup_dispatch()',
             'hotline_rollup_event()')


def upgrade() -> None:
    op.create_table(
        'hotline_rollup',
        sa.Column('hour', sa.BigInteger(), primary_key=True),
        sa.Column('district', sa.String(length=12), primary_key=True),
        sa.Column('category', sa.String(length=32), primary_key=True),
        sa.Column('channel', sa.String(length=16), primary_key=True),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0') for name in MEASURES],
        sqlite_with_rowid=False,
    )
    op.create_table(
        'hotline_department_rollup',
        sa.Column('hour', sa.BigInteger(), primary_key=True),
        sa.Column('district', sa.String(length=12), primary_key=True),
        sa.Column('category', sa.String(length=32), primary_key=True),
        sa.Column('channel', sa.String(length=16), primary_key=True),
        sa.Column('department', sa.String(length=32), primary_key=True),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0')
          for name in ('held', 'dissatisfied', 'repeats', 'returned')],
        sqlite_with_rowid=False,
    )
    op.create_table(
        'hotline_grid_rollup',
        sa.Column('hour', sa.BigInteger(), primary_key=True),
        sa.Column('district', sa.String(length=12), primary_key=True),
        sa.Column('category', sa.String(length=32), primary_key=True),
        sa.Column('channel', sa.String(length=16), primary_key=True),
        sa.Column('grid', sa.String(length=24), primary_key=True),
        *[sa.Column(name, sa.Integer(), nullable=False, server_default='0') for name in ('orders', 'repeats')],
        sqlite_with_rowid=False,
    )
    op.create_table(
        'hotline_pending',
        sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True,
                  autoincrement=False),
        sa.Column('hour', sa.BigInteger(), nullable=False),
        sa.Column('district', sa.String(length=12), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('reply_due_at', UTCDateTime(), nullable=True),
        sa.Column('sla_due_at', UTCDateTime(), nullable=True),
        sa.Column('open', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_hotline_pending_hour', 'hotline_pending', ['hour'])
    dialect = op.get_bind().dialect.name
    script = (SQL / f'0021_hotline_rollup.{dialect}.sql').read_text(encoding='utf-8')
    for statement in script.splitlines():  # one statement a line; the triggers' bodies hold semicolons
        if statement and not statement.startswith('--'):
            op.execute(sa.text(statement))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    for name, table in TRIGGERS.items():
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if postgres else ''))
    if postgres:
        for function in FUNCTIONS:
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    op.drop_index('ix_hotline_pending_hour', table_name='hotline_pending')
    op.drop_table('hotline_pending')
    op.drop_table('hotline_grid_rollup')
    op.drop_table('hotline_department_rollup')
    op.drop_table('hotline_rollup')
