"""work_orders.terms and terms_cut: each order's text cut into words once, on arrival (services/hotline/terms.py),
so a week's hot topics count stored words instead of segmenting every text on each view

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 12:00:00

No backfill here (a migration carries no segmenter): an order with no terms is cut the first time a view reads
it, and its terms stored then.
"""

from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders') as batch:
        batch.add_column(sa.Column('terms', sa.Text(), nullable=True))
        batch.add_column(sa.Column('terms_cut', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_orders') as batch:
        batch.drop_column('terms_cut')
        batch.drop_column('terms')
