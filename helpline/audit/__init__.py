"""Auditors\x27 tools: chain verification against signed checkpoints, exports, erasure (docs/audit.md)."""
