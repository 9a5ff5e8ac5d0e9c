"""the hotline's lifecycle on its work orders (urgency, reply, 回访, reopening, repeat flag) and 督办 (supervisions)
for events, applications and alerts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 08:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders') as batch:
        batch.add_column(sa.Column('urgency', sa.String(length=8), nullable=False, server_default='ordinary'))
        batch.add_column(sa.Column('reply_due_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('replied_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch.add_column(sa.Column('followed_up_at', UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('reached', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('satisfaction', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('reopened', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('caller_key', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('repeat_of', BIG_ID, nullable=True))
    op.create_index('ix_work_orders_caller_key', 'work_orders', ['caller_key'])
    op.create_table('supervisions',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('subject', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('deadline', UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('replied_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_by', sa.String(length=64), nullable=True),
    sa.Column('escalated_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department'], ['departments.code']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_supervisions_subject', 'supervisions', ['subject', 'subject_id'])
    op.create_index('ix_supervisions_department_status', 'supervisions', ['department', 'status'])


def downgrade() -> None:
    op.drop_index('ix_supervisions_department_status', table_name='supervisions')
    op.drop_index('ix_supervisions_subject', table_name='supervisions')
    op.drop_table('supervisions')
    op.drop_index('ix_work_orders_caller_key', table_name='work_orders')
    with op.batch_alter_table('work_orders') as batch:
        for column in ('repeat_of', 'caller_key', 'reopened', 'satisfaction', 'reached', 'followed_up_at', 'reply',
                       'replied_at', 'reply_due_at', 'urgency'):
            batch.drop_column(column)
