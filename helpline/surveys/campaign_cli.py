"""``helpline survey-campaign start|status|pause|resume|opt-out`` (registered in helpline.cli).

Each command works on a ``--state DIR`` sandbox folder or a deployed ``--stack NAME`` (the audit
tools' sources, :func:`helpline.audit.cli.source_from_options`) and prints its result as text or, with
``--format json``, as one JSON document (the same facts; a number only masked).  Exit codes: 0 done,
1 refused or failed (campaign exists / unknown / done, AWS error), 2 bad input (options, country file,
call list).  See docs/survey-campaigns.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from helpline.audit.cli import RegionOpt, StackOpt, StateOpt, source_from_options
from helpline.output import BAD_INPUT, FINDINGS, Format, FormatOpt, print_json

campaign_app = typer.Typer(
    help="Outbound needs-survey campaigns: load a list of people who agreed to be called, follow, pause, resume; "
    "keep people off every list (opt-out).",
    no_args_is_help=True,
    add_completion=False,
)

CountryArg = Annotated[str, typer.Argument(help="Country code (e.g. pl) or a country file")]
CampaignOpt = Annotated[str, typer.Option("--campaign", help="Campaign id: 3-40 of a-z, 0-9 and '-'")]


def _fail(message: str, code: int) -> typer.Exit:
    print(f"survey-campaign: {message}", file=sys.stderr)
    return typer.Exit(code)


def _country(country: str) -> Any:
    from helpline.config import ConfigError, load_country

    try:
        return load_country(country)
    except ConfigError as exc:
        raise _fail(str(exc), BAD_INPUT) from None


def _campaign_id(campaign: str) -> str:
    from helpline.surveys.campaign import CAMPAIGN_ID

    if not CAMPAIGN_ID.match(campaign):
        raise _fail(f"--campaign '{campaign}': use 3 to 40 of a-z, 0-9 and '-'", BAD_INPUT)
    return campaign


def _store(cfg: Any, state: Path | None, stack: str | None, region: str | None, *, create: bool = False) -> Any:
    """The campaign store the options name (a new --state folder gets its hash key when ``create``)."""
    from helpline.surveys.campaign import campaigns_for

    if create and state is not None and stack is None:
        from helpline.state_folder import SandboxStateError, load_secret

        try:
            state.mkdir(parents=True, exist_ok=True)
            load_secret(state)
            if not any(state.glob("*.jsonl")):  # a new state folder: its (empty) tables, so audit sources read it
                (state / "Callers.jsonl").touch()
        except (OSError, SandboxStateError) as exc:
            raise _fail(str(exc), BAD_INPUT) from None
    return campaigns_for(source_from_options(state, stack, region or (cfg.region if stack else None)))


def _run(store: Any, action: Any) -> Any:
    """``action()``, with every refusal or AWS error as one line (never a number, never a traceback)."""
    from helpline.surveys.campaign import CampaignError

    try:
        return action()
    except CampaignError as exc:
        raise _fail(str(exc), FINDINGS) from None
    except Exception as exc:  # noqa: BLE001 - botocore, SandboxStateError, weak key: one line
        raise _fail(f"{store.describe()}: failed: {exc}", FINDINGS) from None


@campaign_app.command("start")
def start_command(
    country: CountryArg,
    campaign: CampaignOpt,
    list_file: Annotated[Path, typer.Option("--list", help="CSV with the header phone,language,consent")],
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Load a call list (only people who agreed to be called) and start calling it: every row is checked first, any bad row -> nothing written (exit 2); duplicates kept once; people on the opt-out list skipped."""
    from helpline.surveys.campaign import CampaignError, ListError, iso_utc, outbound_settings, read_list, start

    cfg = _country(country)
    campaign = _campaign_id(campaign)
    try:
        outbound = outbound_settings(cfg)
        people, notes = read_list(list_file, outbound.languages, cfg.code)
    except (CampaignError, ListError) as exc:
        raise _fail(str(exc), BAD_INPUT) from None
    store = _store(cfg, state, stack, region, create=True)
    result = _run(store, lambda: start(store, outbound, campaign, people))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if fmt == Format.json:
        print_json(
            {
                "source": store.describe(),
                "campaign_id": campaign,
                "survey_id": outbound.survey_id,
                "loaded": result.loaded,
                "duplicates": result.duplicates,
                "opted_out_skipped": result.opted_out,
                "list_expires_at": iso_utc(result.expires),
            }
        )
        return
    expires = result.expires.strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"{store.describe()}: campaign {campaign} (survey {outbound.survey_id}) started: {result.loaded} to call, "
        f"{result.duplicates} duplicate(s) kept once, {result.opted_out} on the opt-out list skipped; "
        f"the list expires {expires} (every number is gone by then)"
    )


@campaign_app.command("status")
def status_command(
    country: CountryArg,
    campaign: CampaignOpt,
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """The campaign's status, its list counted per state, and when the list expires."""
    from helpline.surveys.campaign import status

    cfg = _country(country)
    campaign = _campaign_id(campaign)
    store = _store(cfg, state, stack, region)
    report = _run(store, lambda: status(store, campaign))
    if fmt == Format.json:
        print_json({"source": store.describe(), **report})
        return
    expiry = report["list_expires_at"] or "unknown"
    print(
        f"{store.describe()}: campaign {campaign} (survey {report['survey_id']}): {report['status']}, "
        f"{report['contacts_loaded']} loaded; the list "
        + ("expired" if report["list_expired"] else "expires")
        + f" {expiry}"
    )
    for name, count in report["counts"].items():
        print(f"  {name:<10} {count}")
    for name, count in report.get("other_states", {}).items():
        print(f"  {name:<10} {count} (unknown state)")


def _set_status(
    country: str, campaign: str, state: Path | None, stack: str | None, region: str | None, new: str, fmt: Format
) -> None:
    from helpline.surveys.campaign import set_status

    cfg = _country(country)
    campaign = _campaign_id(campaign)
    store = _store(cfg, state, stack, region)
    old = _run(store, lambda: set_status(store, campaign, new))
    if fmt == Format.json:
        print_json(
            {"source": store.describe(), "campaign_id": campaign, "status": new, "previous": old, "changed": old != new}
        )
    elif old == new:
        print(f"{store.describe()}: campaign {campaign} is already {new}")
    elif new == "paused":
        print(f"{store.describe()}: campaign {campaign} paused: no new calls (calls in progress finish)")
    else:
        print(f"{store.describe()}: campaign {campaign} active again: calls resume at the runner's next minute")


def _status_command(new: str, doc: str) -> Any:
    """``pause`` (new status paused) or ``resume`` (active): the same options, one command each."""

    def command(
        country: CountryArg,
        campaign: CampaignOpt,
        state: StateOpt = None,
        stack: StackOpt = None,
        region: RegionOpt = None,
        fmt: FormatOpt = Format.text,
    ) -> None:
        _set_status(country, campaign, state, stack, region, new, fmt)

    command.__doc__ = doc
    return command


campaign_app.command("pause")(
    _status_command("paused", "Stop placing calls of this campaign (calls in progress finish; nothing is lost).")
)
campaign_app.command("resume")(
    _status_command("active", "Place calls of a paused campaign again (inside the calling hours).")
)


@campaign_app.command("opt-out")
def opt_out_command(
    country: CountryArg,
    caller: Annotated[str, typer.Option("--caller", help="The person's phone number, e.g. +48600700800")],
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Never call this person for a survey again: adds them to the opt-out list (source operator) and takes them off every pending list."""
    from functions.logic.pseudonym import normalise_e164
    from helpline.surveys.campaign import mask, opt_out

    cfg = _country(country)
    number = normalise_e164(caller)
    if number is None:
        raise _fail("--caller is not an E.164 phone number (e.g. +48600700800)", BAD_INPUT)
    store = _store(cfg, state, stack, region, create=True)
    added, removed = _run(store, lambda: opt_out(store, number))
    if fmt == Format.json:
        print_json({"source": store.describe(), "caller": mask(number), "added": added, "pending_lists_left": removed})
        return
    print(
        f"{store.describe()}: {mask(number)} "
        + ("added to the survey opt-out list" if added else "was already on the survey opt-out list")
        + f"; taken off {removed} pending list(s)"
    )
