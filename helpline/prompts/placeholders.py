"""Synthetic stand-ins (espeak-ng) for prompts nobody has recorded yet, marked as such.

``<prompts_dir>/PLACEHOLDERS.json`` maps each stand-in's relative path to the sha256 of the
file written there. A file whose hash still matches is a placeholder; a file dropped in its
place (a human recording) no longer matches, so it counts as a recording with no edit to
the manifest, and it is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpline.config.schema import CountryConfig
from helpline.prompts.check import (
    MANIFEST,
    PromptError,
    PromptSpec,
    check_prompts,
    inspect_file,
    is_current_placeholder,
    read_manifest,
    sha256,
)
from helpline.prompts.espeak import phone_wav, voice_for
from helpline.prompts.shared import write_atomic


def _save_manifest(prompts_dir: Path, entries: dict[str, str]) -> None:
    path = prompts_dir / MANIFEST
    if entries:
        write_atomic(path, (json.dumps(dict(sorted(entries.items())), indent=2) + "\n").encode())
    elif path.exists():
        path.unlink()


def _still_placeholders(prompts_dir: Path) -> dict[str, str]:
    """Manifest entries whose file is still the one written (raises PromptError if corrupt)."""
    manifest = read_manifest(prompts_dir)
    return {rel: h for rel, h in manifest.items() if (prompts_dir / rel).is_file() and sha256(prompts_dir / rel) == h}


def _needs_writing(cfg: CountryConfig, overwrite: bool) -> list[PromptSpec]:
    report = check_prompts(cfg)
    if report.problems:
        raise PromptError(*report.problems[0])
    todo = []
    for st in report.prompts:
        stale = st.status == "placeholder" and not is_current_placeholder(inspect_file(st.spec.path)[2], st.spec)
        if overwrite or st.status == "missing" or stale:
            todo.append(st.spec)
    return todo


def write_placeholders(cfg: CountryConfig, overwrite: bool = False, workers: int = 2) -> list[Path]:
    """Synthesise every missing prompt (and refresh placeholders whose text changed).

    A file that is not a placeholder (a human recording, or a broken file someone is working
    on) is left alone unless ``overwrite``. Returns the paths written, sorted. Same text, same
    bytes: re-running changes nothing.
    """
    prompts_dir = cfg.prompts_dir
    todo = _needs_writing(cfg, overwrite)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        made = dict(zip(todo, pool.map(lambda s: phone_wav(s.text, voice_for(s.lang)), todo), strict=True))
    entries = _still_placeholders(prompts_dir)
    for spec, data in made.items():
        entries[spec.path.relative_to(prompts_dir).as_posix()] = hashlib.sha256(data).hexdigest()
    _save_manifest(prompts_dir, entries)  # first: an interrupted run leaves no unmarked stand-in
    written = []
    for spec, data in made.items():
        if not (spec.path.is_file() and spec.path.read_bytes() == data):
            write_atomic(spec.path, data)
            written.append(spec.path)
    return sorted(written)


def prune_placeholders(cfg: CountryConfig) -> list[Path]:
    """Delete placeholders no flow plays any more (never a recording); returns them, sorted."""
    prompts_dir = cfg.prompts_dir
    report = check_prompts(cfg)
    if report.problems:
        raise PromptError(*report.problems[0])
    entries = _still_placeholders(prompts_dir)
    removed = []
    for path in report.extra:
        rel = path.relative_to(prompts_dir).as_posix()
        if rel in entries:
            path.unlink()
            del entries[rel]
            removed.append(path)
            if path.parent != prompts_dir and not any(path.parent.iterdir()):
                path.parent.rmdir()
    _save_manifest(prompts_dir, entries)
    return removed
