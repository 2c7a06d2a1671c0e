"""The ``helpline`` command line: validate country files, lint, simulate and draw contact flows."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}  # -h on every command and group
app = typer.Typer(
    help="helpline-blueprint tools: country files, contact flows (lint, simulated calls, diagrams).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=HELP_OPTIONS,
)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"helpline {version('helpline-blueprint')}")
        except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
            print("helpline (not installed: run make setup)")
        raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """helpline-blueprint tools: country files, contact flows (lint, simulated calls, diagrams)."""


def _load(code: str, lang: str | None = None):
    """The country's config; a bad file or a language it does not offer exits 2 with one line."""
    from helpline.config import ConfigError, load_country

    try:
        cfg = load_country(code)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(2) from None
    if lang is not None and lang not in cfg.language_codes:
        print(f"{code}: language '{lang}' is not offered (offered: {', '.join(cfg.language_codes)})", file=sys.stderr)
        raise typer.Exit(2)
    return cfg


def _all_codes() -> list[str]:
    from helpline.config import country_files

    return [p.stem for p in country_files()]


@app.command()
def validate(
    countries: Annotated[
        list[str] | None, typer.Argument(help="Country codes (e.g. pl ro); default: every country file.")
    ] = None,
) -> None:
    """Check country files: every check synth, prompts and lint make on a country's content.

    Every problem of a file is listed, one line each on stderr ('<file>: <field>: problem; fix: ...'):
    errors refuse the file (exit 2); 'warning:' lines are doubtful choices that may be deliberate
    (exit 0 when nothing else is wrong)."""
    import os

    from helpline.config import COUNTRIES_DIR
    from helpline.config.gate import check_country

    countries_dir = Path(os.environ.get("HELPLINE_COUNTRIES_DIR") or COUNTRIES_DIR)
    failed = False
    for code in countries or _all_codes():
        report = check_country(code, countries_dir=countries_dir)
        for line in report.errors:
            print(line, file=sys.stderr)
        for line in report.warnings:
            err.print(f"warning: {line}", markup=False)
        if report.errors:
            failed = True
        elif report.cfg is not None:
            cfg = report.cfg
            out.print(f"{cfg.code}: ok ({cfg.name}, {', '.join(cfg.language_codes)}, {cfg.region})")
    if failed:
        raise typer.Exit(2)


@app.command()
def lint(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Country codes (lint the rendered flows) and/or flow JSON files; default: every country."),
    ] = None,
    notices: Annotated[
        bool,
        typer.Option("--notices/--no-notices", help="Also print info and notices (text format)."),
    ] = True,
    fmt: Annotated[
        str, typer.Option("--format", help="text, json or sarif (SARIF 2.1.0, for CI annotations).")
    ] = "text",
    flow_type: Annotated[
        str | None,
        typer.Option("--flow-type", help="Flow type of the files (CONTACT_FLOW, customerQueue ...): checks FL014."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Channel the files serve (voice, chat, task, email): checks FL015.")
    ] = None,
) -> None:
    """Lint contact flows (rules FL001-FL020 from the Flow-language docs, FL101-FL112 of this project).

    Text: 'flow:action-id: FLnnn rule: message' and a fix per finding. Exit status: 0 when no
    error or warning was found (info and notices do not count), 1 when one was, 2 for a usage
    error (unknown format, country or flow type). docs/flow-linter.md lists the rules.
    """
    from helpline.flows.lint import failing, lint_country, lint_file, to_json, to_sarif
    from helpline.flows.render import RenderError

    if fmt not in ("text", "json", "sarif"):
        print(f"--format {fmt}: use text, json or sarif", file=sys.stderr)
        raise typer.Exit(2)
    findings = []
    paths: dict[str, str] = {}
    for target in targets or _all_codes():
        if target.endswith(".json") or Path(target).is_file():
            findings.extend(lint_file(Path(target), flow_type=flow_type, channel=channel))
            paths[Path(target).name] = target
        else:
            cfg = _load(target)
            try:
                findings.extend(lint_country(cfg))
            except RenderError as exc:
                print(f"{target}: render: {exc}", file=sys.stderr)
                raise typer.Exit(1) from None
            paths.update({f.flow: _template_of(f.flow) for f in findings if f.flow.startswith(cfg.code + "/")})
    bad = failing(findings)
    if fmt == "json":
        print(to_json(findings))
    elif fmt == "sarif":
        import json as _json

        print(_json.dumps(to_sarif(findings, paths), indent=2, ensure_ascii=False))
    else:
        for f in findings:
            if not f.failing and not notices:
                continue
            prefix = "" if f.failing else f"{f.severity}: "
            out.print(f"{prefix}{f}  [fix: {f.fix}]", markup=False)
        err.print(f"{len(bad)} finding(s), {len(findings) - len(bad)} info/notice(s)")
    if bad:
        raise typer.Exit(1)


def _template_of(flow: str) -> str:
    """The template file a rendered flow ('pl/inbound_uk') comes from, for SARIF locations."""
    name = flow.split("/", 1)[-1]
    path = Path("contact_flows") / f"{name}.json"
    if not path.exists() and "_" in name:
        path = Path("contact_flows") / f"{name.rsplit('_', 1)[0]}_lang.json"
    return path.as_posix()


CALL_KEYS_HELP = (
    "Keys in order, space separated or repeated. A key is pressed at the next menu; '!K' presses K at once, "
    "during whatever plays next (an input block captures it, a message loses it, as in Connect); '.' lets the "
    "next interruptible announcement pass; '-' lets a menu time out. When the keys run out, every menu times out."
)


CALL_SURVEY_HELP = (
    "The caller stays on the line when the operator hangs up (the post-call survey, if the country has one) "
    "and gives these inputs, space separated, one per question: keys (1 takes part, 2 declines; 1..N a choice, "
    "0 repeats, * prefer not to say, digits ended by # a number) or '-' (no key: the question times out). When "
    "they run out the caller hangs up. Without --survey the caller hangs up with the operator."
)


CALL_OUTBOUND_HELP = (
    "Instead of an inbound call, a survey call placed to --caller in --lang (the country's outbound survey, "
    "flow outbound_survey_<lang>, with the contact attributes the campaign runner sets). The person who answers "
    "gives these inputs, space separated, one per input block: first 1 at the neutral opener (the one called, "
    "who can talk; anything else asks once more, then the call ends naming nothing), then at the consent 1 "
    "takes part, 2 declines (never called again), 9 speaks with the helpline now (the keys then go on into its "
    "menus: '!K' and '.' as in "
    "--press), 0 repeats; then per question 1..N a choice, 0 repeats, * prefer not to say, digits ended by # a "
    "number; '-' is no key. When they run out the person stays silent (every input times out). "
    'E.g. --outbound "1 1 1 2 4# 3".'
)


def _outbound_inputs(outbound: str | None) -> list[str] | None:
    """The --outbound inputs, checked (one line on bad input)."""
    from helpline.flows.simulate import SimulationError
    from helpline.flows.simulate import _outbound_inputs as check

    if outbound is None:
        return None
    try:
        return check(outbound.replace(",", " ").split())
    except SimulationError as exc:
        print(f"--outbound: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


def _survey_inputs(survey: str | None) -> list[str] | None:
    """The --survey inputs, checked (one line on bad input)."""
    from helpline.flows.simulate import SURVEY_INPUT

    if survey is None:
        return None
    inputs = survey.replace(",", " ").split()
    bad = [s for s in inputs if not SURVEY_INPUT.fullmatch(s)]
    if bad:
        print(f"--survey: {' '.join(bad)} is not phone keys (0-9, *, #, at most 8) nor '-'", file=sys.stderr)
        raise typer.Exit(2)
    return inputs


def _fail_values(cfg, fail: list[str]) -> list[str]:
    """The --fail values, checked: an unknown value is an error, never ignored."""
    from helpline.flows.simulate import FAIL_KINDS

    lambdas = {name for flow in _rendered(cfg).values() for kind, name in flow.references if kind == "lambda"}
    queues = set(cfg.queue_names())
    for value in fail:
        ok = value in FAIL_KINDS or value in lambdas or (value.startswith("queue:") and value[6:] in queues)
        if not ok:
            known = ", ".join([*FAIL_KINDS, *sorted(lambdas), *(f"queue:{q}" for q in sorted(queues))])
            print(f"--fail: unknown value '{value}' (known: {known})", file=sys.stderr)
            raise typer.Exit(2)
    return fail


def _rendered(cfg):
    from helpline.flows.render import render_local

    return render_local(cfg)[0]


def _call_keys(press: list[str] | None, extra: list[str]) -> list[str]:
    from helpline.flows.simulate import EARLY, NO_INPUT_TOKENS, SKIP_ANNOUNCEMENT, VALID_KEYS

    if extra and not press:
        print(f"unexpected argument(s): {' '.join(extra)} (keys go after --press)", file=sys.stderr)
        raise typer.Exit(2)
    keys: list[str] = []
    for item in [*(press or []), *extra]:
        keys.extend(item.replace(",", " ").split())
    bad = [
        k
        for k in keys
        if k not in VALID_KEYS
        and k not in NO_INPUT_TOKENS
        and k != SKIP_ANNOUNCEMENT
        and not (len(k) == 2 and k[0] == EARLY and k[1] in VALID_KEYS)
    ]
    if bad:
        print(f"--press: {' '.join(bad)} is not a phone key (0-9, *, #), '!K', '.' or '-'", file=sys.stderr)
        raise typer.Exit(2)
    return keys


def _call_file(
    path: Path, keys: list[str], hours: str, stubs: Path | None, lambda_default: str, intents: list[str]
) -> None:
    """``helpline call FILE.json``: walk any flow file with stubs; exit 1 if the walk had to stop."""
    from helpline.flows.anyflow import call_file, load_stubs

    if hours not in ("open", "closed") or lambda_default not in ("success", "error"):
        print("--hours is open or closed; --lambda is success or error", file=sys.stderr)
        raise typer.Exit(2)
    try:
        answers = load_stubs(stubs)
    except (OSError, ValueError) as exc:
        print(f"--stubs: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    walk = call_file(path, keys=keys, hours=hours, stubs=answers, lambda_default=lambda_default, intents=intents)
    for line in walk.transcript:
        out.print(line, markup=False)
    for stub in walk.stubs:
        out.print(f"stubbed: {stub}", markup=False)
    for item in walk.unmodelled:
        out.print(f"not modelled (took its success path): {item}", markup=False)
    out.print(f"flows: {' -> '.join(walk.flows) or '-'}", markup=False)
    out.print(f"outcome: {walk.outcome}", markup=False)
    if walk.outcome.startswith("stopped"):
        raise typer.Exit(1)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def call(
    ctx: typer.Context,
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="Caller's language; its digit is pressed at the language menu.")
    ] = None,
    press: Annotated[list[str] | None, typer.Option("--press", help=CALL_KEYS_HELP)] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Local date and time of the call, e.g. 2026-03-02T18:30 (default: now).")
    ] = None,
    caller: Annotated[str, typer.Option("--caller", help="Caller's number (E.164).")] = "+48500100200",
    wait: Annotated[
        float,
        typer.Option("--wait", help="Seconds in the queue before an operator answers (the queue flow runs meanwhile)."),
    ] = 0,
    staffed: Annotated[
        bool,
        typer.Option(
            "--staffed/--unstaffed",
            help="Whether operators are logged in. A closed or unstaffed queue accepts the call and nobody answers.",
        ),
    ] = True,
    staffed_after_hours: Annotated[
        bool,
        typer.Option(
            "--staffed-after-hours",
            help="Operators stay logged in after closing time (Connect does not log them out): the staffing "
            "check counts them then too, so only the flow's own hours check keeps callers out of closed queues.",
        ),
    ] = False,
    fail: Annotated[
        list[str] | None,
        typer.Option(
            "--fail",
            help="Make this fail: a Lambda name (identify_caller, create_case), 'dynamodb' (every table request "
            "fails below botocore's retries, handlers answer backend_unavailable), 'queue', 'queue:<key>' or "
            "'callback'. Repeatable; an unknown value is an error.",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            help="Keep the sandbox tables in this folder (one JSON Lines file per table, DynamoDB JSON), so "
            "consecutive calls share callers and cases.",
        ),
    ] = None,
    show_tables: Annotated[
        bool, typer.Option("--tables/--no-tables", help="Print what was written to the tables.")
    ] = True,
    hours: Annotated[
        str, typer.Option("--hours", help="Flow files: CheckHoursOfOperation answers 'open' or 'closed'.")
    ] = "open",
    stubs: Annotated[
        Path | None,
        typer.Option(
            "--stubs", help="Flow files: Lambda answers, YAML/JSON {function name: {key: value} | {error: true}}."
        ),
    ] = None,
    lambda_default: Annotated[
        str,
        typer.Option("--lambda", help="Flow files: a function not in --stubs answers 'success' (empty) or 'error'."),
    ] = "success",
    intent: Annotated[
        list[str] | None,
        typer.Option("--intent", help="Flow files: the intent a Lex bot returns (repeatable, in order)."),
    ] = None,
    operator: Annotated[
        Path | None,
        typer.Option(
            "--operator",
            help="Operator script (YAML): what the answering operator does on each screen of the step-by-step "
            "guide (agent, supervisor, screens: {<screen>: {action, data}}); see docs/operators-guide.md. "
            "Without it the guide is not run.",
        ),
    ] = None,
    survey: Annotated[
        str | None,
        typer.Option("--survey", help=CALL_SURVEY_HELP),
    ] = None,
    outbound: Annotated[
        str | None,
        typer.Option("--outbound", help=CALL_OUTBOUND_HELP),
    ] = None,
) -> None:
    """Simulate a call offline: the rendered flows run against the real Lambda handlers (moto).

    COUNTRY may instead be a flow JSON file (any export): it is walked with stubs (hours, Lambda
    functions, queues, flows missing from its folder), each stub and each action the walker does
    not model named in the output; transfers and modules continue in flow files of the same folder.
    """
    if country.endswith(".json") or Path(country).is_file():
        _call_file(Path(country), _call_keys(press, list(ctx.args)), hours, stubs, lambda_default, intent or [])
        return
    from helpline.flows.operator import OperatorScriptError, load_operator_script
    from helpline.flows.simulate import SimulationError, simulate_call
    from helpline.sandbox import SandboxStateError

    cfg = _load(country, lang)
    caller = _caller_number(caller)
    keys = _call_keys(press, list(ctx.args))
    survey_inputs = _survey_inputs(survey)
    outbound_inputs = _outbound_inputs(outbound)
    if outbound_inputs is not None and keys:
        print("--outbound: the person who answers gives the --outbound inputs; drop --press", file=sys.stderr)
        raise typer.Exit(2)
    if outbound_inputs is not None and cfg.outbound_survey is None:
        print(f"--outbound: no outbound survey in {cfg.code} (surveys: kind outbound)", file=sys.stderr)
        raise typer.Exit(2)
    fails = _fail_values(cfg, fail or [])
    try:
        script = load_operator_script(operator) if operator is not None else None
    except OperatorScriptError as exc:
        print(f"--operator: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):
            result = simulate_call(
                cfg,
                lang=lang,
                presses=keys,
                at=at,
                caller=caller,
                fail=fails,
                wait=wait,
                staffed=staffed,
                staffed_after_hours=staffed_after_hours,
                state_dir=state,
                operator=script,
                survey=survey_inputs,
                outbound=outbound_inputs,
            )
    except OperatorScriptError as exc:
        print(f"--operator: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    except (SimulationError, SandboxStateError) as exc:
        print(f"simulation stopped: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    _print_call(cfg, result, at, caller, show_tables)


def _caller_number(caller: str) -> str:
    """--caller through the one number normaliser, or 'anonymous' (as the scenarios give a withheld number).
    The handlers get the ASCII E.164 form: what the Lambda event example of
    https://docs.aws.amazon.com/lambda/latest/dg/services-connect.html shows in CustomerEndpoint.Address
    (an example, not a documented format: a live assumption)."""
    from functions.logic.pseudonym import normalise_e164

    number = "anonymous" if caller.strip().lower() == "anonymous" else normalise_e164(caller)
    if number is None:
        print("--caller is not an E.164 phone number (e.g. +48600700800) nor 'anonymous'", file=sys.stderr)
        raise typer.Exit(2)
    return number


def _print_call(cfg, result, at: str | None, caller: str, show_tables: bool) -> None:
    from helpline.surveys.campaign import mask, shown_item

    caller = mask(caller) if caller != "anonymous" else caller  # the number is never printed whole
    if result.entry_flow.startswith("outbound_survey_"):  # --outbound: placed to the person
        out.print(f"[bold]{cfg.name}[/bold] survey call at {at or 'now'} to {caller} ({result.entry_flow})")
    else:
        out.print(f"[bold]{cfg.name}[/bold] call at {at or 'now'} from {caller}")
    out.print(result.render_transcript(), markup=False)
    out.print()
    if result.outcome == "queue":
        out.print(f"[bold]outcome:[/bold] queued in {result.queue_name} (queue key {result.queue}), answered")
    elif result.outcome == "callback":
        out.print(f"[bold]outcome:[/bold] call back requested ({result.callback['queue_name']}), call ended")
    elif result.outcome == "abandoned":
        out.print(f"[bold]outcome:[/bold] waited in {result.queue_name}; nobody answered; the caller hung up")
    elif result.outcome == "gave_up":
        out.print(f"[bold]outcome:[/bold] waited in {result.queue_name} longer than the caller's patience; hung up")
    else:
        out.print(f"[bold]outcome:[/bold] {result.outcome}")
    safe = "yes" if result.safe else "NO: no person, no call back, no emergency number"
    if result.ended_before_identification:  # a placed call nobody took up at the neutral opener
        safe = "yes: ended before the person was identified (only the neutral opener, nothing named)"
    out.print(f"safe end: {safe}", markup=False)
    if result.survey_outcome is not None:
        ends = {"disconnect": "the survey flow ended the call", "hung_up": "the caller hung up during the survey",
                "no_hook": "no post-call survey in this country: the call ended"}  # fmt: skip
        out.print(f"after the operator: {ends.get(result.survey_outcome, result.survey_outcome)}", markup=False)
    out.print("attributes: " + ", ".join(f"{k}={v}" for k, v in result.attributes.items()), markup=False)
    if result.guide is not None:
        steps = ", ".join(f"{s}:{a}" for s, a in zip(result.guide.screens, result.guide.actions, strict=True))
        out.print(f"guide (agent {result.guide.agent_arn.rsplit('/', 1)[-1]}): {steps}", markup=False)
    if show_tables:
        for table, items in result.tables.items():
            if table == "Partners" or not items:
                continue
            out.print(f"table {table}: {len(items)} item(s)")
            for item in items:  # numbers masked and notes by their length, like everywhere else
                out.print("  " + ", ".join(f"{k}={v}" for k, v in shown_item(item).items()), markup=False)


@app.command()
def diagram(
    country: Annotated[str, typer.Argument(help="Country code (e.g. pl) or a flow JSON file (any export).")],
    files: Annotated[list[Path] | None, typer.Argument(help="More flow JSON files.")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Draw only this language's flows (plus the shared ones).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Output folder: <out>/<country>/<flow>.dot, .svg, .png; files: <out>/<stem>.*")
    ] = Path("diagrams"),
) -> None:
    """Draw flows: every flow of a country (SVG and PNG, the words callers hear) or flow files (SVG).

    Without graphviz 'dot' the DOT sources are written instead, with a note; the exit status is 0.
    """
    from helpline.flows.diagram import DiagramError, DotMissing, write_diagrams, write_file_diagrams

    try:
        if country.endswith(".json") or Path(country).is_file():
            paths = write_file_diagrams([Path(country), *(files or [])], out_dir)
        else:
            paths = write_diagrams(_load(country, lang), out_dir, lang=lang)
    except DotMissing as exc:
        err.print(f"note: {exc}", markup=False)
        paths = exc.paths
    except DiagramError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(1) from None
    table = Table("file", "bytes")
    for p in paths:
        table.add_row(str(p), str(p.stat().st_size))
    out.print(table)


@app.command()
def preflight(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    profile: Annotated[
        str | None, typer.Option("--profile", help="AWS profile (default: AWS_PROFILE / the default chain).")
    ] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Stage whose overrides apply (as in make deploy STAGE=...).")
    ] = None,
) -> None:
    """Read-only checks before a first deploy: PASS/WARN/FAIL per line with the fix; exits 1 if any FAIL.

    Exits 2 with one line when AWS cannot be asked at all (no or rejected credentials, no network).
    """
    import boto3
    from botocore.exceptions import BotoCoreError

    from helpline.config import ConfigError, load_country
    from helpline.preflight import PreflightError, fatal_line, run_preflight

    if stage is None:
        cfg = _load(country)
    else:
        try:
            cfg = load_country(country, stage=stage)
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            raise typer.Exit(2) from None
    try:
        session = boto3.Session(profile_name=profile, region_name=cfg.region)
        checks = run_preflight(cfg, session)
    except PreflightError as exc:
        print(f"preflight {cfg.code}: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    except BotoCoreError as exc:  # NoCredentialsError, ProfileNotFound, EndpointConnectionError, ...
        print(f"preflight {cfg.code}: {fatal_line(exc)}", file=sys.stderr)
        raise typer.Exit(2) from None
    for check in checks:
        out.print(check.line(), markup=False)
    failed = sum(c.status == "FAIL" for c in checks)
    warned = sum(c.status == "WARN" for c in checks)
    err.print(f"preflight {cfg.code} ({cfg.stack_name}, {cfg.region}): {failed} failed, {warned} warning(s)")
    if failed:
        raise typer.Exit(1)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def prompts(
    ctx: typer.Context,
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    placeholders: Annotated[
        bool,
        typer.Option(
            "--placeholders",
            help="Write espeak-ng stand-ins for missing files (never over a recording), refresh stale ones, "
            "delete unused ones.",
        ),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table (default) or json.")] = "table",
) -> None:
    """Every recorded prompt file a country needs, the exact text to record, and its status.

    Status: ok, missing, invalid (with the reason), placeholder (synthetic stand-in). Exits 1 if
    a file is missing or invalid, 2 on a bad country code or option. docs/recording-prompts.md.
    """
    import json

    from rich.text import Text

    from helpline.flows.render import RenderError
    from helpline.prompts import PromptError, check_prompts, prune_placeholders
    from helpline.prompts.check import CONVERT, NOT_PHONE_FORMAT, report_json, status_text, summary_line
    from helpline.prompts.espeak import SpeechError
    from helpline.prompts.placeholders import synthesise_with_progress

    if ctx.args:
        usage = "helpline prompts COUNTRY [--placeholders] [--format table|json]"
        print(f"unexpected argument(s): {' '.join(ctx.args)} (usage: {usage})", file=sys.stderr)
        raise typer.Exit(2)
    if fmt not in ("table", "json"):
        print(f"--format: '{fmt}' is not one of: table, json", file=sys.stderr)
        raise typer.Exit(2)
    cfg = _load(country)
    written: list[Path] = []
    removed: list[Path] = []
    try:
        if placeholders:
            run = synthesise_with_progress(cfg, err)
            written, removed = run.written, prune_placeholders(cfg)
            for line in run.failure_lines():
                print(f"{cfg.code}: {line}", file=sys.stderr)
        report = check_prompts(cfg)
    except (PromptError, SpeechError, RenderError) as exc:
        print(f"{cfg.code}: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    if fmt == "json":
        data = report_json(report) | {"written": [str(p) for p in written], "removed": [str(p) for p in removed]}
        out.print_json(json.dumps(data, ensure_ascii=False))
    else:
        if placeholders:
            out.print(f"{run.summary(cfg.code)}, removed {len(removed)} unused", markup=False)
        here = report.prompts_dir
        rows = [(str(p.spec.path.relative_to(here)), status_text(p), p.spec.text) for p in report.prompts]
        rows += [(str(path.relative_to(here)), f"invalid: {why}", "") for path, why in report.problems]
        rows += [(str(path.relative_to(here)), "extra: no flow plays it", "") for path in report.extra]
        out.print(f"{cfg.name}: recorded prompts live in {here} as <lang>/<prompt id>.wav", markup=False)
        table = Table()
        table.add_column("file", no_wrap=True, min_width=max((len(r[0]) for r in rows), default=4))
        table.add_column("status", ratio=1)
        table.add_column("text to record", ratio=2)
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        out.print(table)
        if any(NOT_PHONE_FORMAT in w for p in report.prompts for w in p.warnings):
            out.print(f"convert to 8 kHz mono U-Law with: {CONVERT}", markup=False)
        out.print(summary_line(report), markup=False)
    if not report.ok:
        raise typer.Exit(1)


def deploy_command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    stage: Annotated[str | None, typer.Option("--stage", help="Stage (default: the country file's).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile (default chain otherwise).")] = None,
    approval: Annotated[
        str | None,
        typer.Option("--approval", help="cdk --require-approval: broadening (default in a terminal), never "
                     "(default unattended, e.g. CI/CD), any-change."),
    ] = None,
    allow_placeholders: Annotated[
        bool, typer.Option("--allow-placeholders", help="Deploy a production stage with synthetic recordings.")
    ] = False,
    start: Annotated[
        str, typer.Option("--from", help="Resume at: preflight, recordings, country, tests, smoke-test, verify-live.")
    ] = "preflight",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the recordings offline; print every other stage's command, run none.")] = False,
) -> None:
    """Deploy a country: preflight, recordings, country stack, test stack, smoke-test, verify-live.

    Stops at the first failing stage with what to do; exit 0 all passed, 1 a stage or check failed, 2 bad input.
    """
    from helpline.config import ConfigError, load_country
    from helpline.deploy import DeployError, Options, execute, plan

    opts = Options(country, stage, profile, approval, allow_placeholders, start, dry_run)
    try:
        cfg = load_country(country, stage=stage)
        steps = plan(cfg, opts, interactive=sys.stdin.isatty())
    except (ConfigError, DeployError) as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(2) from None
    raise typer.Exit(execute(steps, dry_run=dry_run, say=lambda line: out.print(line, markup=False)))


def upgrade_country_command(
    country: Annotated[str, typer.Argument(help="Country code (e.g. pl) or path of a country file.")],
    write: Annotated[
        bool, typer.Option("--write", help="Make the mechanical changes (renames, the format key) in the file.")
    ] = False,
) -> None:
    """List every change a country file of an older format needs (docs/country-file-CHANGELOG.md).

    With --write, renamed fields and the format key are rewritten in place (comments kept) and what a
    person must still write is listed. Exit 0 nothing left to do, 1 changes remain, 2 bad input."""
    import os

    from helpline.config import COUNTRIES_DIR
    from helpline.config.upgrade import upgrade_country

    countries_dir = Path(os.environ.get("HELPLINE_COUNTRIES_DIR") or COUNTRIES_DIR)
    code = upgrade_country(
        country,
        write=write,
        countries_dir=countries_dir,
        say=lambda line: out.print(line, markup=False),
        warn=lambda line: print(line, file=sys.stderr),
    )
    raise typer.Exit(code)


def _register_commands() -> None:
    """Commands that live in their own modules (imported here, so `helpline --help` lists them)."""
    from helpline import livetest, review, scaffold, surge, surveys, verify_live
    from helpline.cost import cli as cost_cli

    app.command("new-country")(scaffold.command)
    app.command("review")(review.command)
    app.command("cost")(cost_cli.command)
    app.command("survey-report")(surveys.command)
    app.command("surge")(surge.command)
    app.command("smoke-test")(livetest.command)
    app.command("verify-live")(verify_live.command)
    app.command("deploy")(deploy_command)
    app.command("upgrade-country")(upgrade_country_command)
    from helpline.surveys.campaign_cli import campaign_app

    app.add_typer(campaign_app, name="survey-campaign")


_register_commands()


from helpline.audit.cli import audit_app, erase  # noqa: E402 - registered after the app exists

app.add_typer(audit_app, name="audit")
app.command("erase")(erase)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
