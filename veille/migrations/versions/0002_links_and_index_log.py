"""cursors, item links, index change log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:06:10.177367
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('index_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('index_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_changes_item_id'), ['item_id'], unique=False)

    op.create_table('item_links',
    sa.Column('from_item_id', sa.String(length=32), nullable=False),
    sa.Column('to_item_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('via', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['from_item_id'], ['items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_item_id', 'to_item_id', 'kind')
    )
    with op.batch_alter_table('item_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_links_to_item_id'), ['to_item_id'], unique=False)

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cursor', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('cursor')

    with op.batch_alter_table('item_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_links_to_item_id'))

    op.drop_table('item_links')
    with op.batch_alter_table('index_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_changes_item_id'))

    op.drop_table('index_changes')
