"""cursors, item references, index change log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:08:30.596940
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

    op.create_table('item_refs',
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('ref', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'ref', 'role')
    )
    with op.batch_alter_table('item_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_refs_ref'), ['ref'], unique=False)

    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cursor', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('cursor')

    with op.batch_alter_table('item_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_refs_ref'))

    op.drop_table('item_refs')
    with op.batch_alter_table('index_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_changes_item_id'))

    op.drop_table('index_changes')
