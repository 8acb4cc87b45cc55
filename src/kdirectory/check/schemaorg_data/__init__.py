"""Compact schema.org 30.0 vocabulary table (``vocab.json``) for checking JSON-LD."""
