"""PostgreSQL: timestamptz for the UTC moments, JSONB for the JSON documents

Earlier revisions created `timestamp without time zone` (the UTC moment without its zone) and
`json` (text) columns on PostgreSQL. Every such column of the archive becomes `timestamptz`
(read as UTC) and `jsonb`. Nothing changes on SQLite, which has neither type.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:40:00.000000
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = sa.text("SELECT table_name, column_name FROM information_schema.columns "
                  "WHERE table_schema = current_schema() AND data_type = :old AND table_name <> 'alembic_version' "
                  "ORDER BY table_name, column_name")


def _convert(old: str, new: str, using: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != 'postgresql':
        return
    tables = defaultdict(list)
    for table, column in connection.execute(COLUMNS, {'old': old}).all():
        tables[table].append(f'ALTER COLUMN "{column}" TYPE {new} USING {using.format(column=column)}')
    for table, changes in tables.items():  # one statement per table: indexes over two columns see both changed
        op.execute(f'ALTER TABLE "{table}" ' + ', '.join(changes))


def upgrade() -> None:
    _convert('timestamp without time zone', 'timestamptz', '"{column}" AT TIME ZONE \'UTC\'')
    _convert('json', 'jsonb', '"{column}"::jsonb')


def downgrade() -> None:
    _convert('timestamp with time zone', 'timestamp', '"{column}" AT TIME ZONE \'UTC\'')
    _convert('jsonb', 'json', '"{column}"::json')
