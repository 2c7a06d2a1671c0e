"""Synthetic stand-ins (espeak-ng) for prompts nobody has recorded yet, marked as such.

``<prompts_dir>/PLACEHOLDERS.json`` maps each stand-in's relative path to the sha256 of the
file written there. A file whose hash still matches is a placeholder; a file dropped in its
place (a human recording) no longer matches, so it counts as a recording with no edit to
the manifest, and it is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

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
from helpline.prompts.espeak import SpeechError, phone_wav, voice_for
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


@dataclass
class Synthesis:
    """What one ``--placeholders`` run did: files written, and prompts espeak-ng could not speak."""

    written: list[Path] = field(default_factory=list)
    failed: list[tuple[PromptSpec, str]] = field(default_factory=list)  # (prompt, one-line reason)

    def failure_lines(self) -> list[str]:
        """One line per prompt left without a placeholder: which file, why, and the text that caused it."""
        return [
            f"{spec.name}: no placeholder: {why}, on the text {_quote(spec.text)}; "
            "fix: record it (docs/recording-prompts.md)"
            for spec, why in self.failed
        ]

    def summary(self, country: str) -> str:
        """The run in one line, naming the languages that need human recordings first."""
        line = f"{country}: wrote {len(self.written)} placeholder(s)"
        if self.failed:
            langs = sorted({spec.lang for spec, _ in self.failed})
            count = {lang: sum(spec.lang == lang for spec, _ in self.failed) for lang in langs}
            line += (
                f"; espeak-ng could not speak {len(self.failed)} prompt(s): needs human recordings first: "
                + ", ".join(f"{lang} ({count[lang]})" for lang in langs)
            )
        return line


def _quote(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "\u2026")


OnProgress = Callable[[PromptSpec, int], None]  # (prompt just done or failed, how many in all)


def synthesise(
    cfg: CountryConfig, overwrite: bool = False, workers: int = 2, progress: OnProgress | None = None
) -> Synthesis:
    """Synthesise every missing prompt (and refresh placeholders whose text changed).

    Each text is spoken in its own child process, so a crash inside espeak-ng (even an abort in
    the C library) costs that one prompt: it is listed in ``failed`` and every other placeholder
    is still written. A file that is not a placeholder (a human recording, or a broken file
    someone is working on) is left alone unless ``overwrite``. Same text, same bytes: re-running
    changes nothing. ``progress`` is called once per prompt done.
    """
    prompts_dir = cfg.prompts_dir
    todo = _needs_writing(cfg, overwrite)
    made: dict[PromptSpec, bytes] = {}
    result = Synthesis()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        jobs = {pool.submit(phone_wav, spec.text, voice_for(spec.lang)): spec for spec in todo}
        for job in as_completed(jobs):
            spec = jobs[job]
            try:
                made[spec] = job.result()
            except SpeechError as exc:
                result.failed.append((spec, str(exc)))
            if progress:
                progress(spec, len(todo))
    result.failed.sort(key=lambda f: f[0])
    entries = _still_placeholders(prompts_dir)
    for spec, data in made.items():
        entries[spec.path.relative_to(prompts_dir).as_posix()] = hashlib.sha256(data).hexdigest()
    _save_manifest(prompts_dir, entries)  # first: an interrupted run leaves no unmarked stand-in
    for spec, data in sorted(made.items()):
        if not (spec.path.is_file() and spec.path.read_bytes() == data):
            write_atomic(spec.path, data)
            result.written.append(spec.path)
    result.written.sort()
    return result


def write_placeholders(cfg: CountryConfig, overwrite: bool = False, workers: int = 2) -> list[Path]:
    """:func:`synthesise`, returning the paths written, sorted; raises SpeechError (after writing
    every other placeholder) naming the first prompt espeak-ng could not speak."""
    result = synthesise(cfg, overwrite, workers)
    if result.failed:
        raise SpeechError(result.failure_lines()[0])
    return result.written


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


def synthesise_with_progress(cfg: CountryConfig, console: Console, overwrite: bool = False) -> Synthesis:
    """:func:`synthesise` with a progress bar on ``console`` (a terminal only; nothing in a pipe)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(f"{cfg.code}: placeholders", total=None)

        def step(spec: PromptSpec, total: int) -> None:
            bar.update(task, total=total, advance=1, description=f"{cfg.code}: {spec.name}")

        return synthesise(cfg, overwrite, progress=step)
