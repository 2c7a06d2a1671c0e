"""``helpline surge COUNTRY --calls N``: replay a surge of simulated calls and report what was lost.

The last line is machine-readable: ``calls=N lost=L rate=R/s p99_ms=P``; ``--format json`` prints
the whole report as one JSON document. Exit 1 when calls were lost (a caller left without a way
forward, a case answered ok but not stored) or a contact opened more than one case.
"""

from helpline.surge.cli import command
from helpline.surge.summary import Summary, summarize

__all__ = ["Summary", "command", "summarize"]
