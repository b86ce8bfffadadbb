"""accounts: organisations, their IP ranges, users, web sessions, email links, pending subscriptions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('siren', sa.String(length=9), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('trial_until', sa.Date(), nullable=True),
    sa.Column('paid_until', sa.Date(), nullable=True),
    sa.Column('suspended_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('siren')
    )
    op.create_table('ip_ranges',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('cidr', sa.String(length=50), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('first', sa.String(length=32), nullable=False),
    sa.Column('last', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ip_ranges_organisation_id', 'ip_ranges', ['organisation_id'])
    op.create_index('ix_ip_ranges_bounds', 'ip_ranges', ['version', 'first', 'last'])
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('verified_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('approved_at', veille.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', veille.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email_key')
    )
    op.create_index('ix_users_organisation_id', 'users', ['organisation_id'])
    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', veille.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_web_sessions_user_id', 'web_sessions', ['user_id'])
    op.create_table('email_links',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', veille.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', veille.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_email_links_user_id', 'email_links', ['user_id'])
    op.create_table('pending_subscriptions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('created_at', veille.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_pending_subscriptions_created_at', 'pending_subscriptions', ['created_at'])


def downgrade() -> None:
    op.drop_table('pending_subscriptions')
    op.drop_table('email_links')
    op.drop_table('web_sessions')
    op.drop_table('users')
    op.drop_table('ip_ranges')
    op.drop_table('organisations')
