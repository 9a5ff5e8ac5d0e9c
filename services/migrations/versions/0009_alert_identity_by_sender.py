"""alerts: identity by sender + identifier (CAP 1.2), and CAP's unbounded texts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:00:00

An id reused by another sender is a different alert, so the unique key becomes (alert_id, source) instead of
alert_id alone. CAP sets no length for event or headline (a real air-quality <event> has 185 characters): both
become Text, and so does the storm key made of the event (alert_groups.key); identifier and sender get 255
characters (the stream's bounds, services/alerts/schema.py).
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# 0001 left the unique constraint unnamed; this names it the way each backend did (SQLite keeps no name at all).
_NAMING = {"uq": "%(table_name)s_%(column_0_name)s_key"}


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint('alerts_alert_id_key', type_='unique')
        batch_op.alter_column('alert_id', type_=sa.String(length=255), existing_nullable=False)
        batch_op.alter_column('source', type_=sa.String(length=255), existing_nullable=False)
        batch_op.alter_column('event', type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column('headline', type_=sa.Text(), existing_nullable=False)
        batch_op.create_unique_constraint('uq_alerts_source_alert_id', ['alert_id', 'source'])
    with op.batch_alter_table('alert_groups', schema=None) as batch_op:
        batch_op.alter_column('key', type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    """Back to one alert per id: fails (unique violation) if two senders now share an id."""
    with op.batch_alter_table('alert_groups', schema=None) as batch_op:
        batch_op.alter_column('key', type_=sa.String(length=200), existing_nullable=False)
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_alerts_source_alert_id', type_='unique')
        batch_op.alter_column('headline', type_=sa.String(length=256), existing_nullable=False)
        batch_op.alter_column('event', type_=sa.String(length=128), existing_nullable=False)
        batch_op.alter_column('source', type_=sa.String(length=64), existing_nullable=False)
        batch_op.alter_column('alert_id', type_=sa.String(length=128), existing_nullable=False)
        batch_op.create_unique_constraint('alerts_alert_id_key', ['alert_id'])
