"""archive: sources, items, origins, topics, fetch log

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 05:57:09.747909
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sources',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('config_url', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('last_checked_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('last_success_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_check_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('retired_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('last_item_count', sa.Integer(), nullable=True),
    sa.Column('health_warning', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_next_check_at'), ['next_check_at'], unique=False)

    op.create_table('fetch_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('started_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fetch_log', schema=None) as batch_op:
        batch_op.create_index('ix_fetch_log_source_started', ['source_id', 'started_at'], unique=False)

    op.create_table('items',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('canonical_url', sa.Text(), nullable=True),
    sa.Column('jorf_id', sa.String(length=40), nullable=True),
    sa.Column('nor', sa.String(length=20), nullable=True),
    sa.Column('eli', sa.Text(), nullable=True),
    sa.Column('nature', sa.String(length=60), nullable=True),
    sa.Column('ministry', sa.Text(), nullable=True),
    sa.Column('jo_number', sa.String(length=20), nullable=True),
    sa.Column('jo_date', sa.Date(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('content_html', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('fetched_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_canonical_url'), ['canonical_url'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_fetched_at'), ['fetched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_jorf_id'), ['jorf_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_nor'), ['nor'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_source_id'), ['source_id'], unique=False)

    op.create_table('item_origins',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('first_seen_at', veille.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'key', name='uq_item_origin_key')
    )
    with op.batch_alter_table('item_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_origins_item_id'), ['item_id'], unique=False)

    op.create_table('item_topics',
    sa.Column('item_id', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'topic')
    )
    with op.batch_alter_table('item_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_topics_topic'), ['topic'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_topics_topic'))

    op.drop_table('item_topics')
    with op.batch_alter_table('item_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_origins_item_id'))

    op.drop_table('item_origins')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_source_id'))
        batch_op.drop_index(batch_op.f('ix_items_published_at'))
        batch_op.drop_index(batch_op.f('ix_items_nor'))
        batch_op.drop_index(batch_op.f('ix_items_jorf_id'))
        batch_op.drop_index(batch_op.f('ix_items_fetched_at'))
        batch_op.drop_index(batch_op.f('ix_items_category'))
        batch_op.drop_index(batch_op.f('ix_items_canonical_url'))

    op.drop_table('items')
    with op.batch_alter_table('fetch_log', schema=None) as batch_op:
        batch_op.drop_index('ix_fetch_log_source_started')

    op.drop_table('fetch_log')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_next_check_at'))

    op.drop_table('sources')
