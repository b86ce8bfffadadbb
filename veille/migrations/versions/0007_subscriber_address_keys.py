"""subscribers: one subscriber per address whatever its case (email_key, unique)

`DGS@mairie-exemple.fr` and `dgs@mairie-exemple.fr` were two subscribers, both sent every
bulletin. Each group of such rows is merged into one: the row that carries the person's latest
decision (subscribed, changed or unsubscribed last) is kept with its settings and its token;
the outbox rows of the others move to it, one per edition (a sent one first), so that
nothing already sent is sent again. Unsubscribe links of the merged rows no longer work:
the next bulletin carries the kept row's link. The downgrade keeps the merge.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:45:00.000000
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Lightweight views of the tables: the data steps must not depend on today's models.
subscribers = sa.table(
    'subscribers',
    sa.column('id', sa.Integer()),
    sa.column('email', sa.String(254)),
    sa.column('email_key', sa.String(254)),
    sa.column('created_at', veille.db.UTCDateTime()),
    sa.column('disabled_at', veille.db.UTCDateTime()),
)
outbox = sa.table(
    'outbox',
    sa.column('id', sa.Integer()),
    sa.column('edition_id', sa.Integer()),
    sa.column('subscriber_id', sa.Integer()),
    sa.column('state', sa.String(10)),
)


def upgrade() -> None:
    op.add_column('subscribers', sa.Column('email_key', sa.String(length=254), nullable=True))
    connection = op.get_bind()
    groups = defaultdict(list)
    for row in connection.execute(sa.select(subscribers)):
        groups[row.email.lower()].append(row)
    for key, rows in groups.items():
        kept = max(rows, key=lambda row: (max(row.created_at, row.disabled_at or row.created_at), row.id))
        others = [row.id for row in rows if row.id != kept.id]
        if others:
            _move_outbox(connection, kept.id, others)
            connection.execute(subscribers.delete().where(subscribers.c.id.in_(others)))
        connection.execute(subscribers.update().where(subscribers.c.id == kept.id).values(email_key=key))
    op.create_index('ix_subscribers_email_key', 'subscribers', ['email_key'], unique=True)


def _move_outbox(connection, kept: int, others: list[int]) -> None:
    """One outbox row per edition for the kept subscriber: a sent one if any, else the kept one's."""
    rows = connection.execute(sa.select(outbox).where(outbox.c.subscriber_id.in_([kept, *others]))).all()
    by_edition = defaultdict(list)
    for row in rows:
        by_edition[row.edition_id].append(row)
    for edition_rows in by_edition.values():
        chosen = max(edition_rows, key=lambda row: (row.state == 'sent', row.subscriber_id == kept))
        dropped = [row.id for row in edition_rows if row.id != chosen.id]
        if dropped:
            connection.execute(outbox.delete().where(outbox.c.id.in_(dropped)))
        connection.execute(outbox.update().where(outbox.c.id == chosen.id).values(subscriber_id=kept))


def downgrade() -> None:
    op.drop_index('ix_subscribers_email_key', table_name='subscribers')
    # Never recreate the table on SQLite: dropping the old copy would cascade-delete the outbox.
    with op.batch_alter_table('subscribers', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('email_key')
