"""responses to emergency plans (预案): the response, its departments' tasks, its checklist, and the notifications
sent out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa

from services.store import UTCDateTime

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('responses',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('plan', sa.String(length=40), nullable=False),
    sa.Column('alert_id', BIG_ID, nullable=True),
    sa.Column('event_id', BIG_ID, nullable=False),
    sa.Column('district', sa.String(length=6), nullable=True),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('activated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('activated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_proposed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id']),
    sa.ForeignKeyConstraint(['event_id'], ['events.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_responses_alert_id', 'responses', ['alert_id'], unique=True)
    op.create_index('ix_responses_status', 'responses', ['status'])
    op.create_table('response_tasks',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('response_id', BIG_ID, nullable=False),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('task_zh', sa.Text(), nullable=False),
    sa.Column('task_en', sa.Text(), nullable=False),
    sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatch_id', BIG_ID, nullable=True),
    sa.Column('overdue_notified_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department'], ['departments.code']),
    sa.ForeignKeyConstraint(['dispatch_id'], ['event_dispatches.id']),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_response_tasks_response_id', 'response_tasks', ['response_id'])
    op.create_table('response_checks',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('response_id', BIG_ID, nullable=False),
    sa.Column('key', sa.String(length=8), nullable=False),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('checked_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_response_checks_response_id', 'response_checks', ['response_id'])
    op.create_table('notify_deliveries',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('department', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('response_id', BIG_ID, nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_notify_deliveries_state_next', 'notify_deliveries', ['state', 'next_attempt_at'])
    op.create_index('ix_notify_deliveries_response', 'notify_deliveries', ['response_id'])


def downgrade() -> None:
    op.drop_index('ix_notify_deliveries_response', table_name='notify_deliveries')
    op.drop_index('ix_notify_deliveries_state_next', table_name='notify_deliveries')
    op.drop_table('notify_deliveries')
    op.drop_index('ix_response_checks_response_id', table_name='response_checks')
    op.drop_table('response_checks')
    op.drop_index('ix_response_tasks_response_id', table_name='response_tasks')
    op.drop_table('response_tasks')
    op.drop_index('ix_responses_status', table_name='responses')
    op.drop_index('uq_responses_alert_id', table_name='responses')
    op.drop_table('responses')
