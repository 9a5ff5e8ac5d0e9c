"""event map: covering indexes for the map's filters and the grid drill-down

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:20:00

The map's queries read only these indexes, never the table: the drill-down (one district, a time range, grouped by
grid cell, newest points first), the open / overdue count per district, the category filter, and the department
filter (an EXISTS on the dispatches of each event).
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXES = {
    'events': {
        'ix_events_district_map': ['district', 'reported_at', 'grid', 'lon', 'lat', 'status', 'severity'],
        'ix_events_status_district_due': ['status', 'district', 'sla_due_at'],
        'ix_events_category_reported': ['category', 'reported_at'],
    },
    'event_dispatches': {
        'ix_dispatches_event_department': ['event_id', 'department'],
    },
}


def upgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes.items():
                batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
