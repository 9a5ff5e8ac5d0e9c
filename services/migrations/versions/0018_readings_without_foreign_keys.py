"""indicator_readings without foreign keys: a time series written by the hundred thousand, its codes checked on the
way in (record_readings) instead of by per-row triggers, which cost 60 % of a bulk COPY

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-02 08:10:00
"""

from alembic import op

revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None

# SQLite's foreign keys have no names: batch mode names them by this convention to drop them (alembic's recipe).
NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
KEYS = (("indicator_code", "indicators", "code"), ("district", "districts", "adcode"))


def _name(column: str, table: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"indicator_readings_{column}_fkey"
    return f"fk_indicator_readings_{column}_{table}"


def upgrade() -> None:
    with op.batch_alter_table('indicator_readings', naming_convention=NAMES) as batch:
        for column, table, _key in KEYS:
            batch.drop_constraint(_name(column, table), type_='foreignkey')


def downgrade() -> None:
    with op.batch_alter_table('indicator_readings', naming_convention=NAMES) as batch:
        for column, table, key in KEYS:
            batch.create_foreign_key(_name(column, table), table, [column], [key])
