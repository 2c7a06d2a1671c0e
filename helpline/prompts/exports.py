"""The package's public names, each loaded from its module on first use (PEP 562 ``__getattr__``).

Loaded lazily because the espeak-ng child process (``python -m helpline.prompts.espeak``) starts
once per placeholder: importing the package must not pay for pydantic and the flow renderer
(``check`` and ``placeholders``), about 0.3 s a child.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> the module of helpline.prompts that defines it
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


def __getattr__(name: str) -> Any:
    """``helpline.prompts.<name>``: the name from its module (imported now, once)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'helpline.prompts' has no attribute {name!r}")
    return getattr(importlib.import_module(f"helpline.prompts.{_EXPORTS[name]}"), name)
