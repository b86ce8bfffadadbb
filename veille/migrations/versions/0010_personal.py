"""readers' own things: alerts and their hits, « Ma sélection », private feeds; subscribers.user_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('query', sa.Text(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
        sa.Column('last_edition_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    op.create_index('ix_alerts_user_id', 'alerts', ['user_id'])
    op.create_table(
        'alert_hits',
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('alert_id', 'edition_id', 'item_id'),
    )
    op.create_index('ix_alert_hits_edition_id', 'alert_hits', ['edition_id'])
    op.create_table(
        'saved_items',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.String(length=32), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('saved_at', veille.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'item_id', name='uq_saved_item_user_item'),
    )
    op.create_index('ix_saved_items_user_id', 'saved_items', ['user_id'])
    op.create_table(
        'personal_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('token'),
    )
    # Never recreate `subscribers` on SQLite: dropping the old copy would cascade-delete the outbox.
    # SQLite adds a column with its foreign key in place (ALTER TABLE ADD COLUMN … REFERENCES).
    with op.batch_alter_table('subscribers', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.create_foreign_key('fk_subscribers_user_id', 'users', ['user_id'], ['id'], ondelete='CASCADE')
    op.create_index('ix_subscribers_user_id', 'subscribers', ['user_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_subscribers_user_id', table_name='subscribers')
    with op.batch_alter_table('subscribers', schema=None, recreate='never') as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint('fk_subscribers_user_id', type_='foreignkey')
        batch_op.drop_column('user_id')
    op.drop_table('personal_feeds')
    op.drop_table('saved_items')
    op.drop_table('alert_hits')
    op.drop_table('alerts')
