"""Pydantic event and parameter models (no AWS imports)."""
