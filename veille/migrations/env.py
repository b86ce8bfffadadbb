"""Alembic environment: always run on the connection handed over by veille.db.migrate."""
from alembic import context

import veille.accounts.models  # noqa: F401  (their tables share Base.metadata)
import veille.bulletins.models  # noqa: F401
import veille.personal.models  # noqa: F401
from veille.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
