"""Recorded prompts: which files a country needs, checks, placeholders, generated shared audio.

- :func:`required_prompts` - every ``<lang>/<prompt id>.wav`` the rendered flows play, with
  the exact text to record (recorded languages only).
- :func:`check_prompts` - missing, invalid (Amazon Connect's limits), extra and placeholder
  files; :func:`deploy_check` turns that into the one line ``app.py`` prints.
- :func:`write_placeholders` - espeak-ng stand-ins for missing files, listed in
  ``PLACEHOLDERS.json`` by hash; :func:`prune_placeholders` removes unused ones.
- :func:`shared_audio` - generated audio every language shares (``shared/hold_music``).

The recording workflow is described in ``docs/recording-prompts.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use: the espeak-ng child process (python -m helpline.prompts.espeak)
# starts once per placeholder and should not pay for pydantic and the flow renderer.
_EXPORTS = {
    "MANIFEST": "check",
    "PromptError": "check",
    "PromptReport": "check",
    "PromptSpec": "check",
    "PromptStatus": "check",
    "check_prompts": "check",
    "deploy_check": "check",
    "generated_prompts": "check",
    "required_prompts": "check",
    "prune_placeholders": "placeholders",
    "write_placeholders": "placeholders",
    "SharedAudioError": "shared",
    "shared_audio": "shared",
}
__all__ = [
    "MANIFEST",
    "PromptError",
    "PromptReport",
    "PromptSpec",
    "PromptStatus",
    "SharedAudioError",
    "check_prompts",
    "deploy_check",
    "generated_prompts",
    "prune_placeholders",
    "required_prompts",
    "shared_audio",
    "write_placeholders",
]

if TYPE_CHECKING:  # pragma: no cover
    from helpline.prompts.check import (
        MANIFEST,
        PromptError,
        PromptReport,
        PromptSpec,
        PromptStatus,
        check_prompts,
        deploy_check,
        generated_prompts,
        required_prompts,
    )
    from helpline.prompts.placeholders import prune_placeholders, write_placeholders
    from helpline.prompts.shared import SharedAudioError, shared_audio


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'helpline.prompts' has no attribute {name!r}")
    return getattr(importlib.import_module(f"helpline.prompts.{_EXPORTS[name]}"), name)
