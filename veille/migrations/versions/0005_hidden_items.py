"""items: hidden by an editor (replaces the interim extra["hidden"] == "1")

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import veille.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LEGACY_REASON = "masqué avant la version 0005"
# A lightweight view of the table: the data steps must not depend on today's models.
items = sa.table(
    'items',
    sa.column('id', sa.String(32)),
    sa.column('extra', sa.JSON()),
    sa.column('hidden_at', veille.db.UTCDateTime()),
    sa.column('hidden_reason', sa.Text()),
)
index_changes = sa.table(
    'index_changes',
    sa.column('item_id', sa.String(32)),
    sa.column('op', sa.String(10)),
    sa.column('created_at', veille.db.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', veille.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.Text(), nullable=True))

    # JSON queries differ between SQLite and PostgreSQL: read every extra and filter here.
    connection = op.get_bind()
    now = datetime.now(timezone.utc)
    hidden = [(row.id, row.extra) for row in connection.execute(sa.select(items.c.id, items.c.extra))
              if isinstance(row.extra, dict) and row.extra.get('hidden') == '1']
    for item_id, extra in hidden:
        rest = {key: value for key, value in extra.items() if key != 'hidden'}
        connection.execute(items.update().where(items.c.id == item_id)
                           .values(hidden_at=now, hidden_reason=LEGACY_REASON, extra=rest))
        # The indexer before 0005 did not read the mark: take these items out of the index.
        connection.execute(index_changes.insert().values(item_id=item_id, op='upsert', created_at=now))


def downgrade() -> None:
    # Back to the interim convention, so that the older code still leaves these items out.
    connection = op.get_bind()
    hidden = connection.execute(sa.select(items.c.id, items.c.extra).where(items.c.hidden_at.is_not(None))).all()
    for item_id, extra in hidden:
        connection.execute(items.update().where(items.c.id == item_id)
                           .values(extra={**(extra if isinstance(extra, dict) else {}), 'hidden': '1'}))

    # Never recreate the table on SQLite: with foreign keys on, dropping the old copy of `items`
    # would cascade-delete every item's rubriques, origins and references. SQLite 3.35 and later
    # drop a plain column in place.
    with op.batch_alter_table('items', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')
