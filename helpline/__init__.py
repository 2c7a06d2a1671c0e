"""helpline-blueprint tooling: country config, flow tools and the `helpline` CLI.

Nothing in this package is imported at Lambda run time (see DESIGN.md).
"""

__version__ = "0.1.0"
