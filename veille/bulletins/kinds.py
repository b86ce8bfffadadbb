"""Edition kinds and subscription frequencies: plain names, importable without the database."""

DAILY, WEEKLY = "daily", "weekly"
FREQUENCIES = ("daily", "weekly", "both")
