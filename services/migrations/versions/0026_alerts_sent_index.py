"""alert messages by when they were sent: an index on (msg_type, sent_at, id), from which the console's newest
alerts (the leader's alert tile) read the first rows in order and the day's counts by severity read a range,
instead of sorting or scanning every alert ever stored

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 08:00:00
"""

from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_alerts_msg_type_sent', 'alerts', ['msg_type', 'sent_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_alerts_msg_type_sent', table_name='alerts')
