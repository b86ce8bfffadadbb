"""Moving a whole archive to another database (SQLite to PostgreSQL): every table of the models,
parents first, in batches, into an empty target whose schema the migrations create; integer
ids kept (and PostgreSQL's sequences moved past them), so that every link between rows holds."""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, Integer, MetaData, func, inspect, select, text

from .archive_version import ArchiveVersion

BATCH = 1000
# Tables the migrations fill themselves: a new schema already holds their rows, which the copy replaces.
SEEDED = frozenset({ArchiveVersion.__tablename__})


class TargetNotEmpty(Exception):
    """The target database already holds rows: nothing is copied."""


@dataclass(frozen=True)
class TableCount:
    name: str
    source: int
    target: int


def metadata() -> MetaData:
    """Every table of the models: each package's `models` module registers its own."""
    import veille
    from .models import Base

    for module in pkgutil.walk_packages(veille.__path__, "veille."):
        if module.name.rsplit(".", 1)[-1] == "models":
            importlib.import_module(module.name)
    return Base.metadata


def counts(engine: Engine) -> dict[str, int]:
    """Rows of every table of the models present in this database."""
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return {table.name: connection.scalar(select(func.count()).select_from(table))
                for table in metadata().sorted_tables if table.name in present}


def unknown_tables(engine: Engine) -> list[str]:
    """Tables of the source that no model describes: they would not be copied."""
    known = set(metadata().tables) | {"alembic_version"}
    return sorted(set(inspect(engine).get_table_names()) - known)


def copy(source: Engine, target: Engine, on_rows: Callable[[int], None] | None = None) -> list[TableCount]:
    """Copy every row of `source` into `target` (both at the latest migration) in one transaction
    on the target: on any error nothing stays there. TargetNotEmpty when it holds rows."""
    held = {name: rows for name, rows in counts(target).items() if rows and name not in SEEDED}
    if held:
        raise TargetNotEmpty(held)
    with source.connect() as reading, target.begin() as writing:
        for table in metadata().sorted_tables:
            if table.name in SEEDED:
                writing.execute(table.delete())
            key = list(table.primary_key.columns)
            rows = reading.execution_options(stream_results=True).execute(select(table).order_by(*key))
            for batch in rows.mappings().partitions(BATCH):
                writing.execute(table.insert(), [dict(row) for row in batch])
                if on_rows:
                    on_rows(len(batch))
            if target.dialect.name == "postgresql":
                _move_sequences(writing, table)
    before, after = counts(source), counts(target)
    return [TableCount(name, before.get(name, 0), after.get(name, 0)) for name in sorted(before)]


def _move_sequences(connection, table) -> None:
    """Next ids after the copied ones (rows inserted with their ids leave the sequence at 1)."""
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f"coalesce((SELECT max({column.name}) FROM {table.name}), 0) + 1, false)"))
