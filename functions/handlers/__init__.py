"""Thin Lambda entry points; each module exposes ``handler(event, context)``.

``HANDLERS``: every entry point, one per entry of functions/permissions.py (in its order).
"""

from functions.permissions import PERMISSIONS

HANDLERS = tuple(PERMISSIONS)
