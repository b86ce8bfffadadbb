"""items: an editor's headline, summary and rubriques; the history of editors' changes; pins « À la une »

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_headline', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('edited_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('edited_topics', sa.JSON(), nullable=True))
    op.create_table(
        'item_edits',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('item_id', sa.String(length=32), nullable=False),
        sa.Column('at', veille.db.UTCDateTime(), nullable=False),
        sa.Column('editor', sa.String(length=254), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_item_edits_item_id', 'item_edits', ['item_id'])
    op.create_table(
        'front_pins',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('item_id', sa.String(length=32), nullable=False),
        sa.Column('pinned_by', sa.String(length=254), nullable=False),
        sa.Column('pinned_at', veille.db.UTCDateTime(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_front_pins_item_id', 'front_pins', ['item_id'])
    op.create_index('ix_front_pins_edition_id', 'front_pins', ['edition_id'])


def downgrade() -> None:
    op.drop_table('front_pins')
    op.drop_table('item_edits')
    # Never recreate the table on SQLite: dropping the old copy of `items` would cascade-delete
    # every item's rubriques, origins and references.
    with op.batch_alter_table('items', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('edited_topics')
        batch_op.drop_column('edited_summary')
        batch_op.drop_column('edited_headline')
