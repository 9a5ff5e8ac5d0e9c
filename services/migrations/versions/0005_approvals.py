"""approvals: applicant key, one-thing case, drill and overdue indexes, association rules

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:05:00
"""

from alembic import op
import sqlalchemy as sa
import services.store  # noqa: F401  (column types)


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_id', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('bundle_case', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_applications_matter_submitted', ['matter_code', 'submitted_at'], unique=False)
        batch_op.create_index('ix_applications_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_applications_bundle_case', ['bundle_case'], unique=False)
        batch_op.create_index('ix_applications_applicant', ['applicant_id', 'matter_code', 'submitted_at',
                                                            'completed_at'], unique=False)
    op.create_table('approval_associations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('computed_at', services.store.UTCDateTime(timezone=True), nullable=False),
    sa.Column('antecedent', sa.String(length=32), nullable=False),
    sa.Column('consequent', sa.String(length=32), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('support', sa.Float(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('lift', sa.Float(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['antecedent'], ['matters.code'], ),
    sa.ForeignKeyConstraint(['consequent'], ['matters.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approval_associations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_associations_computed_at'), ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('approval_associations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_associations_computed_at'))
    op.drop_table('approval_associations')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_applicant')
        batch_op.drop_index('ix_applications_bundle_case')
        batch_op.drop_index('ix_applications_status_due')
        batch_op.drop_index('ix_applications_matter_submitted')
        batch_op.drop_column('bundle_case')
        batch_op.drop_column('applicant_id')
