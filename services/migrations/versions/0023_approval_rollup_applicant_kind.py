"""approvals rollup by applicant kind: enterprise_received, enterprise_with_due and enterprise_on_time, so the
digital-divide lens reads cells instead of a week of applications; every cell refilled, the triggers recreated

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 21:30:00

The migration carries its own SQL: the refill and the triggers in
services/migrations/sql/0023_approval_rollup_applicant_kind.<dialect>.sql (generated from
services/approvals/rollup.py and frozen there), the new columns below.
"""

from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parents[1] / "sql"
COLUMNS = ('enterprise_received', 'enterprise_with_due', 'enterprise_on_time')
TRIGGERS = ('approval_rollup_insert', 'approval_rollup_delete', 'approval_rollup_update_received',
            'approval_rollup_update_completed', 'approval_rollup_update_open', 'approval_rollup_update')


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column('approval_rollup', sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
    dialect = op.get_bind().dialect.name
    script = (SQL / f'0023_approval_rollup_applicant_kind.{dialect}.sql').read_text(encoding='utf-8')
    for statement in script.splitlines():  # one statement a line; the triggers' bodies hold semicolons
        if statement and not statement.startswith('--'):
            op.execute(sa.text(statement))


def downgrade() -> None:
    """Back to 0022's rollup: the columns dropped (with no trigger naming the table meanwhile: SQLite's table
    rebuild checks them), then 0006's triggers, which never name the columns, reinstalled."""
    dialect = op.get_bind().dialect.name
    suffix = '' if dialect == 'sqlite' else ' ON applications'
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}{suffix}')
    with op.batch_alter_table('approval_rollup') as batch:
        for name in COLUMNS:
            batch.drop_column(name)
    script = (SQL / f'0006_approval_rollup.{dialect}.sql').read_text(encoding='utf-8')
    for statement in script.splitlines():
        if statement.startswith(('CREATE TRIGGER', 'CREATE OR REPLACE FUNCTION')):
            op.execute(sa.text(statement))
