"""archive_version: one number raised by every change the reader's pages show; items by arrival

Caches of pages and feeds (veille.web.pagecache) read archive_version to know whether what they
hold is current: one primary-key read instead of the feed's own version query (~60 ms on
100,000 items). ix_items_arrival serves the newest items (home page, API, feeds' versions, the
feeds directory's 30-day counts) from the index alone, and replaces the index on fetched_at
alone (its first column): on 100,000 items the home page and /api/items took 2 to 7 s.
ix_items_days no longer starts with hidden_at: without statistics SQLite's planner took
`hidden_at IS NULL` (true of nearly every item) for a selective filter and read the whole table
through that index for any page of visible items; it now starts with jo_date.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


LISTED = sa.text('coalesce(published_at, fetched_at)')


def upgrade() -> None:
    version = op.create_table('archive_version',
                              sa.Column('id', sa.Integer(), nullable=False),
                              sa.Column('number', sa.Integer(), nullable=False),
                              sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(version, [{'id': 1, 'number': 0}])
    op.create_index('ix_items_arrival', 'items', ['fetched_at', 'id', 'hidden_at', 'updated_at', 'published_at'])
    op.drop_index('ix_items_fetched_at', table_name='items')
    op.drop_index('ix_items_days', table_name='items')
    op.create_index('ix_items_days', 'items', ['jo_date', 'hidden_at', LISTED])


def downgrade() -> None:
    op.drop_index('ix_items_days', table_name='items')
    op.create_index('ix_items_days', 'items', ['hidden_at', 'jo_date', LISTED])
    op.create_index('ix_items_fetched_at', 'items', ['fetched_at'])
    op.drop_index('ix_items_arrival', table_name='items')
    op.drop_table('archive_version')
