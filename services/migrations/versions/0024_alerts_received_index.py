"""alerts by when the command center got them: an index on (msg_type, coalesce(received_at, sent_at)), the window
the response-time analytics (MTTA / MTTR) read, instead of a scan of every alert ever stored

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 21:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_alerts_received', 'alerts', ['msg_type', sa.text('coalesce(received_at, sent_at)')])


def downgrade() -> None:
    op.drop_index('ix_alerts_received', table_name='alerts')
