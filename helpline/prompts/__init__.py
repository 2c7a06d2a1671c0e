"""Recorded prompts: which files a country needs, checks, placeholders, generated shared audio.

- :func:`required_prompts` - every ``<lang>/<prompt id>.wav`` the rendered flows play, with
  the exact text to record (recorded languages only).
- :func:`check_prompts` - missing, invalid (Amazon Connect's limits), extra and placeholder
  files; :func:`deploy_check` turns that into the one line ``app.py`` prints.
- :func:`write_placeholders` - espeak-ng stand-ins for missing files, listed in
  ``PLACEHOLDERS.json`` by hash; :func:`prune_placeholders` removes unused ones.
- :func:`shared_audio` - generated audio every language shares (``shared/hold_music``).

The recording workflow is described in ``docs/recording-prompts.md``. The names are loaded on
first use (:mod:`helpline.prompts.exports` says why).
"""

from typing import TYPE_CHECKING

from helpline.prompts.exports import __getattr__ as __getattr__  # the names, loaded on first use

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
