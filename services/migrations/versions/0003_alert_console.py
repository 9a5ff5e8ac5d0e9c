"""alert console: storm groups and the operator workflow's columns on alerts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:35:00
"""

from alembic import op
import sqlalchemy as sa
import services.store  # noqa: F401  (column types)


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_MOMENTS = ('received_at', 'acknowledged_at', 'escalated_at', 'resolved_at', 'silenced_until')


def upgrade() -> None:
    op.create_table('alert_groups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('head_alert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_at', services.store.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_at', services.store.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_groups', schema=None) as batch_op:
        batch_op.create_index('ix_alert_groups_key_last', ['key', 'last_at'], unique=False)
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        for name in _MOMENTS:
            batch_op.add_column(sa.Column(name, services.store.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resume_status', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_alerts_group_id'), ['group_id'], unique=False)
        batch_op.create_foreign_key('fk_alerts_group_id', 'alert_groups', ['group_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_alerts_group_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alerts_group_id'))
        batch_op.drop_column('resume_status')
        for name in reversed(_MOMENTS):
            batch_op.drop_column(name)
        batch_op.drop_column('group_id')
    with op.batch_alter_table('alert_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_groups_key_last')
    op.drop_table('alert_groups')
