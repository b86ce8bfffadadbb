"""Organisations with their licences and IP ranges, users, their sessions and email links."""
