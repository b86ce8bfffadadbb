"""items, item_topics: listing indexes that hold what the listings read, so pages of items are read from the index

The rubrique pages and the API by rubrique look the rubrique's items up by id, then order them by
coalesce(published_at, fetched_at) or by fetched_at; the calendar reads each day's items' dates.
SQLite (before 3.41) does not read an indexed expression's value from the index, and these
columns come after the items' texts in the row: each item looked up read its row and the text's
overflow pages (on 100,000 items, 3,000 items of a rubrique: 50 to 80 ms for one page of the
API). With published_at and fetched_at in the indexes, the order and the page are computed from
the index alone and only the page's rows are read. ix_items_id_moments replaces
ix_items_id_listed (same use, now covering); ix_items_days keeps its expression (the calendar's
range on it) and gains both columns. ix_item_topics_topic_item replaces ix_item_topics_topic:
a rubrique's item ids without reading item_topics' rows (half the time of its page's queries).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


LISTED = sa.text('coalesce(published_at, fetched_at)')


def upgrade() -> None:
    op.create_index('ix_item_topics_topic_item', 'item_topics', ['topic', 'item_id'])
    op.drop_index('ix_item_topics_topic', table_name='item_topics')
    op.create_index('ix_items_id_moments', 'items', ['id', 'hidden_at', 'published_at', 'fetched_at'])
    op.drop_index('ix_items_id_listed', table_name='items')
    op.drop_index('ix_items_days', table_name='items')
    op.create_index('ix_items_days', 'items', ['jo_date', 'hidden_at', LISTED, 'published_at', 'fetched_at'])


def downgrade() -> None:
    op.drop_index('ix_items_days', table_name='items')
    op.create_index('ix_items_days', 'items', ['jo_date', 'hidden_at', LISTED])
    op.create_index('ix_items_id_listed', 'items', ['id', 'hidden_at', LISTED])
    op.drop_index('ix_items_id_moments', table_name='items')
    op.create_index('ix_item_topics_topic', 'item_topics', ['topic'])
    op.drop_index('ix_item_topics_topic_item', table_name='item_topics')
