"""The cost tool's one error: a problem the user can fix."""


class CostError(Exception):
    """A problem the user can fix (bad template, unreadable price file); ``str()`` is one line."""
