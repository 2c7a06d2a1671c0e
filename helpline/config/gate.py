"""The one gate a country file passes before anything is built from it.

:func:`check_country` runs every check that ``helpline validate``, synthesis (``app.py``), the
prompts and the linter make on a country's content, and lists every problem of the file in one
report: errors (the file is refused) and warnings (doubtful choices that may be deliberate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpline.config.errors import ConfigError
from helpline.config.files import COUNTRIES_DIR, read_yaml
from helpline.config.loader import load_country
from helpline.config.rules import collect_problems, config_warnings, content_warnings
from helpline.config.schema import CountryConfig
from helpline.config.upgrade import missing_format_warning


@dataclass
class Report:
    """Every problem of one country file: ``errors`` refuse it, ``warnings`` do not."""

    code: str
    cfg: CountryConfig | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class CountryRefused(ConfigError):
    """A country file with one or more errors; ``str(err)`` is one line per error."""

    def __init__(self, report: Report):
        self.report = report
        Exception.__init__(self, "\nerror: ".join(report.errors))
        self.file, self.field, self.problem, self.fix = report.code, "", report.errors[0], ""
        self.all = [self]


def check_country(code_or_path: str | Path, *, stage: str | None = None, countries_dir: Path = COUNTRIES_DIR) -> Report:
    """Load one country and run every check on it; never raises for a bad file."""
    path = Path(code_or_path)
    report = Report(code=path.stem)
    try:
        cfg = load_country(code_or_path, stage=stage, countries_dir=countries_dir, rules=False)
    except ConfigError as exc:
        report.errors = [str(e) for e in exc.all]
        return report
    report.cfg = cfg
    if path.suffix != ".yaml":
        path = countries_dir / f"{code_or_path}.yaml"
    try:
        display = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        display = str(path)
    report.errors = [str(e) for e in collect_problems(cfg, display, file_stem=path.stem, gate=True)]
    report.warnings = content_warnings(cfg, display) + config_warnings(cfg, display)
    try:  # a file without `format` that needs nothing else: read as the previous version, said once
        unversioned = missing_format_warning(read_yaml(path, display), display)
    except ConfigError:
        unversioned = None
    if unversioned:
        report.warnings.insert(0, unversioned)
    return report


def checked_country(
    code_or_path: str | Path, *, stage: str | None = None, countries_dir: Path = COUNTRIES_DIR
) -> tuple[CountryConfig, list[str]]:
    """The country's config and its content warnings, or :class:`CountryRefused` listing every error.

    For synthesis (app.py): the stacks annotate :func:`config_warnings` themselves, so only
    :func:`content_warnings` are returned here."""
    report = check_country(code_or_path, stage=stage, countries_dir=countries_dir)
    if report.errors:
        raise CountryRefused(report)
    assert report.cfg is not None
    annotated = config_warnings(report.cfg, report.warnings[0].split(": ", 1)[0]) if report.warnings else []
    return report.cfg, [line for line in report.warnings if line not in annotated]
