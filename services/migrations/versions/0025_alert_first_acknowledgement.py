"""alerts.acknowledged_at is the first acknowledgement: rows whose later acknowledgement (after an escalation, or
their storm head's) overwrote it take the first one back from the audit trail, so MTTA reads the alert row alone
instead of joining every alert of its window to its actions

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 05:10:00
"""

from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

FIRST = ("SELECT min(a.at) FROM alert_actions a WHERE a.alert_id = alerts.id AND a.action = 'acknowledge'")


def upgrade() -> None:
    op.execute(f"UPDATE alerts SET acknowledged_at = ({FIRST}) WHERE id IN ("
               "SELECT a.alert_id FROM alert_actions a JOIN alerts b ON b.id = a.alert_id "
               "WHERE a.action = 'acknowledge' GROUP BY a.alert_id, b.acknowledged_at "
               "HAVING b.acknowledged_at IS NULL OR min(a.at) <> b.acknowledged_at)")


def downgrade() -> None:
    """Nothing to undo: the first acknowledgement is what the analytics read before, through the audit trail."""
