"""subscribers: work address and where to deliver

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 08:08:51.995247
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('deliver_to', sa.String(length=10), server_default='personal', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_column('deliver_to')
        batch_op.drop_column('work_email')

