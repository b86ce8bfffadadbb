"""The web app: item pages, editions and their PDF, unsubscription."""
from .app import create_app

__all__ = ["create_app"]
