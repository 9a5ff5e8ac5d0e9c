"""alerts.expires_at: CAP info/expires kept in the store (a wall opened from the store drops expired alerts)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('alerts', sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('alerts', 'expires_at')
