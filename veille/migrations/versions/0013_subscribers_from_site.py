"""subscribers: from_site, subscribed on the site (full bulletin only for members of a licensed organisation)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: recreating the table on SQLite would cascade-delete the outbox.
    op.add_column('subscribers', sa.Column('from_site', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('subscribers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('from_site')
