"""Event, parameter and settings parsing: pydantic models (the reference and the error path) and
their pydantic-free twins for the hot path (:mod:`functions.models.lean`). No AWS imports."""
