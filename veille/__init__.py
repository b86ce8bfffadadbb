"""Veille: regulatory and professional watch for French local authorities."""
