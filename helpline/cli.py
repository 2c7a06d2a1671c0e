"""The ``helpline`` command line: validate country files, lint, simulate and draw contact flows."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from helpline.output import (
    BAD_INPUT,
    FINDINGS,
    OK,
    Format,
    FormatOpt,
    LintFormat,
    LintFormatOpt,
    bad_input,
    exit_with,
    generated,
    print_json,
    progress_bar,
)

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
    fmt: FormatOpt = Format.text,
) -> None:
    """Check country files: every check synth, prompts and lint make on a country's content.

    Every problem of a file is listed, one line each on stderr ('<file>: <field>: problem; fix: ...');
    'warning:' lines are doubtful choices that may be deliberate. --format json: one document with each
    problem's file, field, message, fix and severity.

    Exit 0: no errors (warnings alone pass). Exit 1: a file has errors in its content (a missing or
    wrong value, a text that breaks a rule, an older format). Exit 2: bad input, a file that cannot be
    read as YAML at all (no such country or file, not UTF-8, a YAML syntax error or tab, not a mapping)."""
    results = [_validate_one(code, _countries_dir()) for code in countries or _all_codes()]
    if fmt is Format.json:
        print_json({"countries": results, **_problem_counts(results)})
    else:
        for result in results:
            for problem in result["problems"]:
                if problem["severity"] == "error":
                    print(problem["line"], file=sys.stderr)
                else:
                    err.print(f"warning: {problem['line']}", markup=False)
            if result["status"] == "ok":
                out.print(f"{result['country']}: ok ({result['name']}, {', '.join(result['languages'])}, "
                          f"{result['region']})", markup=False)  # fmt: skip
    statuses = {result["status"] for result in results}
    raise typer.Exit(BAD_INPUT if "unreadable" in statuses else FINDINGS if "errors" in statuses else OK)


def _countries_dir() -> Path:
    from helpline.config.files import default_countries_dir

    return default_countries_dir()


def _country_file(code_or_path: str, countries_dir: Path) -> Path:
    """A country code's file, or the path given (as helpline.config.load_country reads it)."""
    return Path(code_or_path) if Path(code_or_path).suffix == ".yaml" else countries_dir / f"{code_or_path}.yaml"


def _shown(path: Path) -> str:
    """A path as the country tools name it: relative to the working folder where it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _validate_one(code: str, countries_dir: Path) -> dict:
    """One country's problems as data; status ok, errors (exit 1) or unreadable (not YAML at all, exit 2)."""
    from helpline.config.errors import ConfigError
    from helpline.config.files import read_yaml
    from helpline.config.gate import check_country

    path = _country_file(code, countries_dir)
    display = _shown(path)
    try:  # what the loader reads first: a file that is no YAML mapping is bad input, not a finding
        read_yaml(path, display)
    except ConfigError as exc:
        return {"country": path.stem, "file": display, "status": "unreadable", "problems": [_problem(exc, "error")]}
    report = check_country(code, countries_dir=countries_dir)
    problems = [_problem(line, "error") for line in report.errors]
    problems += [_problem(line, "warning") for line in report.warnings]
    result = {"country": path.stem, "file": display, "status": "errors" if report.errors else "ok"}
    if report.cfg is not None and not report.errors:
        cfg = report.cfg
        result |= {"country": cfg.code, "name": cfg.name, "languages": cfg.language_codes, "region": cfg.region}
    return result | {"problems": problems}


# '<file>: <field>: <message>; fix: <fix>' (helpline.config.loader.ConfigError); the field is a YAML path
# without spaces (messages.uk.goodbye, topics[1].digit, messages.ro.language_name_*) or 'line N', and some
# problems have none.
_PROBLEM = re.compile(
    r"(?P<file>.+?): (?:(?P<field>line \d+|[^\s:]+): )?(?P<message>.*?)(?:; fix: (?P<fix>.*))?", re.DOTALL
)


def _problem(problem: Exception | str, severity: str) -> dict:
    """One problem of the gate as data: file, field, message, fix, severity (and the line itself). The
    gate's report holds lines; a ConfigError carries the parts itself."""
    from helpline.config.loader import ConfigError

    line = str(problem)
    match = _PROBLEM.fullmatch(line)
    parts = match.groupdict() if match else {"file": "", "field": None, "message": line, "fix": None}
    if isinstance(problem, ConfigError):
        parts = {"file": problem.file, "field": problem.field, "message": problem.problem, "fix": problem.fix}
    return {
        "file": parts["file"],
        "field": parts["field"] or "",
        "message": parts["message"],
        "fix": parts["fix"] or "",
        "severity": severity,
        "line": line,
    }


def _problem_counts(results: list[dict]) -> dict:
    problems = [p for r in results for p in r["problems"]]
    return {
        "errors": sum(p["severity"] == "error" for p in problems),
        "warnings": sum(p["severity"] == "warning" for p in problems),
    }


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
    fmt: LintFormatOpt = LintFormat.text,
    flow_type: Annotated[
        str | None,
        typer.Option("--flow-type", help="Flow type of the files (CONTACT_FLOW, customerQueue ...): checks FL014."),
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Channel the files serve (voice, chat, task, email): checks FL015.")
    ] = None,
) -> None:
    """Lint contact flows (rules FL001-FL022 from the Flow-language docs, FL101-FL114 of this project).

    Text: 'flow:action-id: FLnnn rule: message' and a fix per finding. Exit status: 0 when no
    error or warning was found (info and notices do not count), 1 when one was (a file that is not
    JSON or not a flow is finding FL001, and a country whose flows cannot be rendered is 1 too), 2 for
    bad input (unknown format, country, flow type or channel, a flow file that does not exist).
    docs/flow-linter.md lists the rules.
    """
    from helpline.flows.catalog import CHANNELS, flow_type_name
    from helpline.flows.lint import failing, lint_country, lint_file, to_json, to_sarif
    from helpline.flows.render import RenderError

    if flow_type is not None and flow_type_name(flow_type) is None:
        bad_input(f"--flow-type {flow_type}: not a flow type (CONTACT_FLOW, CUSTOMER_QUEUE, contactFlow ...)")
    if channel is not None and channel not in CHANNELS:
        bad_input(f"--channel {channel}: use one of {', '.join(CHANNELS)}")
    findings = []
    paths: dict[str, str] = {}
    for target in targets or _all_codes():
        if target.endswith(".json") or Path(target).is_file():
            if not Path(target).is_file():
                bad_input(f"{target}: no such flow file")
            findings.extend(lint_file(Path(target), flow_type=flow_type, channel=channel))
            paths[Path(target).name] = target
        else:
            cfg = _load(target)
            try:
                findings.extend(lint_country(cfg))
            except RenderError as exc:
                print(f"{target}: render: {exc}", file=sys.stderr)
                raise typer.Exit(FINDINGS) from None
            paths.update({f.flow: _template_of(f.flow) for f in findings if f.flow.startswith(cfg.code + "/")})
    bad = failing(findings)
    if fmt is LintFormat.json:
        print(to_json(findings))
    elif fmt is LintFormat.sarif:
        print_json(to_sarif(findings, paths))
    else:
        for f in findings:
            if not f.failing and not notices:
                continue
            prefix = "" if f.failing else f"{f.severity}: "
            out.print(f"{prefix}{f}  [fix: {f.fix}]", markup=False)
        err.print(f"{len(bad)} finding(s), {len(findings) - len(bad)} info/notice(s)")
    exit_with(bool(bad))


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
    "next interruptible announcement pass; '-' lets a menu time out. When the keys run out, every menu times out. "
    "The transcript shows which menu took each key."
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
    from helpline.flows.simulate import outbound_inputs as check

    if outbound is None:
        return None
    try:
        return check(outbound.replace(",", " ").split())
    except SimulationError as exc:
        bad_input(f"--outbound: {exc}")


def _survey_inputs(survey: str | None) -> list[str] | None:
    """The --survey inputs, checked (one line on bad input)."""
    from helpline.flows.simulate import SURVEY_INPUT

    if survey is None:
        return None
    inputs = survey.replace(",", " ").split()
    bad = [s for s in inputs if not SURVEY_INPUT.fullmatch(s)]
    if bad:
        bad_input(f"--survey: {' '.join(bad)} is not phone keys (0-9, *, #, at most 8) nor '-'")
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
            bad_input(f"--fail: unknown value '{value}' (known: {known})")
    return fail


def _rendered(cfg):
    from helpline.flows.render import render_local

    return render_local(cfg)[0]


def _call_keys(press: list[str] | None, extra: list[str]) -> list[str]:
    from helpline.flows.simulate import EARLY, NO_INPUT_TOKENS, SKIP_ANNOUNCEMENT, VALID_KEYS

    if extra and not press:
        bad_input(f"unexpected argument(s): {' '.join(extra)} (keys go after --press)")
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
        bad_input(f"--press: {' '.join(bad)} is not a phone key (0-9, *, #), '!K', '.' or '-'")
    return keys


def _call_file(path: Path, keys: list[str], opts: dict, fmt: Format) -> None:
    """``helpline call FILE.json``: walk any flow file with stubs; exit 1 if the walk had to stop."""
    from helpline.flows.anyflow import call_file, load_stubs

    if opts["hours"] not in ("open", "closed") or opts["lambda_default"] not in ("success", "error"):
        bad_input("--hours is open or closed; --lambda is success or error")
    try:
        answers = load_stubs(opts["stubs"])
    except (OSError, ValueError) as exc:
        bad_input(f"--stubs: {exc}")
    walk = call_file(path, keys=keys, hours=opts["hours"], stubs=answers, lambda_default=opts["lambda_default"],
                     intents=opts["intents"])  # fmt: skip
    if fmt is Format.json:
        print_json({"file": str(path), "transcript": walk.transcript, "stubbed": walk.stubs,
                    "not_modelled": walk.unmodelled, "flows": walk.flows, "outcome": walk.outcome})  # fmt: skip
    else:
        for line in walk.transcript:
            out.print(line, markup=False)
        for stub in walk.stubs:
            out.print(f"stubbed: {stub}", markup=False)
        for item in walk.unmodelled:
            out.print(f"not modelled (took its success path): {item}", markup=False)
        out.print(f"flows: {' -> '.join(walk.flows) or '-'}", markup=False)
        out.print(f"outcome: {walk.outcome}", markup=False)
    exit_with(walk.outcome.startswith("stopped"))


CallerOpt = Annotated[
    str | None,
    typer.Option(
        "--caller",
        help="Caller's number (E.164) or 'anonymous'; default: a made-up number of the country called "
        "(+<its calling code>500100200, e.g. +40500100200 for ro).",
        show_default=False,
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option("--wait", help="Seconds in the queue before an operator answers (the queue flow runs meanwhile)."),
]
StaffedOpt = Annotated[
    bool,
    typer.Option(
        "--staffed/--unstaffed",
        help="Whether operators are logged in. A closed or unstaffed queue accepts the call and nobody answers.",
    ),
]
StaffedAfterHoursOpt = Annotated[
    bool,
    typer.Option(
        "--staffed-after-hours",
        help="Operators stay logged in after closing time (Connect does not log them out): the staffing "
        "check counts them then too, so only the flow's own hours check keeps callers out of closed queues.",
    ),
]
FailOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--fail",
        help="Make this fail: a Lambda name (identify_caller, create_case), 'dynamodb' (every table request "
        "fails below botocore's retries, handlers answer backend_unavailable), 'queue', 'queue:<key>' or "
        "'callback'. Repeatable; an unknown value is an error.",
    ),
]
StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Keep the sandbox tables in this folder (one JSON Lines file per table, DynamoDB JSON), so "
        "consecutive calls share callers and cases.",
    ),
]
TablesOpt = Annotated[
    bool,
    typer.Option(
        "--tables/--no-tables",
        help="Print the table rows this call wrote or changed (not the seeded partner directory, not rows "
        "an earlier call left in --state).",
    ),
]
HoursOpt = Annotated[str, typer.Option("--hours", help="Flow files: CheckHoursOfOperation answers 'open' or 'closed'.")]
StubsOpt = Annotated[
    Path | None,
    typer.Option(
        "--stubs", help="Flow files: Lambda answers, YAML/JSON {function name: {key: value} | {error: true}}."
    ),
]
LambdaOpt = Annotated[
    str, typer.Option("--lambda", help="Flow files: a function not in --stubs answers 'success' (empty) or 'error'.")
]
IntentOpt = Annotated[
    list[str] | None, typer.Option("--intent", help="Flow files: the intent a Lex bot returns (repeatable, in order).")
]
OperatorOpt = Annotated[
    Path | None,
    typer.Option(
        "--operator",
        help="Operator script (YAML): what the answering operator does on each screen of the step-by-step "
        "guide (agent, supervisor, screens: {<screen>: {action, data}}); see docs/operators-guide.md. "
        "Without it the guide is not run.",
    ),
]


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def call(
    ctx: typer.Context,
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Caller's language; its digit is pressed for you at the language menu (a first --press key equal "
            "to that digit is taken as that press, not repeated), so --press starts at the next input: the "
            "emergency notice, where '-' lets it pass.",
        ),
    ] = None,
    press: Annotated[list[str] | None, typer.Option("--press", help=CALL_KEYS_HELP)] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Local date and time of the call, e.g. 2026-03-02T18:30 (default: now).")
    ] = None,
    caller: CallerOpt = None,
    wait: WaitOpt = 0,
    staffed: StaffedOpt = True,
    staffed_after_hours: StaffedAfterHoursOpt = False,
    fail: FailOpt = None,
    state: StateOpt = None,
    show_tables: TablesOpt = True,
    hours: HoursOpt = "open",
    stubs: StubsOpt = None,
    lambda_default: LambdaOpt = "success",
    intent: IntentOpt = None,
    operator: OperatorOpt = None,
    survey: Annotated[str | None, typer.Option("--survey", help=CALL_SURVEY_HELP)] = None,
    outbound: Annotated[str | None, typer.Option("--outbound", help=CALL_OUTBOUND_HELP)] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Simulate a call offline: the rendered flows run against the real Lambda handlers (moto).

    COUNTRY may instead be a flow JSON file (any export): it is walked with stubs (hours, Lambda
    functions, queues, flows missing from its folder), each stub and each action the walker does
    not model named in the output; transfers and modules continue in flow files of the same folder.

    Phone numbers are masked and notes shown by their length, in text and JSON. Exit 0: the call ended
    safely (a person, a call back, or a message naming the emergency number); 1: it did not ("safe end:
    NO"), or the simulation had to stop; 2: bad input (an unknown country or language,
    a bad --at date, --caller number, key or option, an unreadable --operator script or --state folder).
    """
    keys = _call_keys(press, list(ctx.args))
    if country.endswith(".json") or Path(country).is_file():
        opts = {"hours": hours, "stubs": stubs, "lambda_default": lambda_default, "intents": intent or []}
        _call_file(Path(country), keys, opts, fmt)
        return
    cfg = _load(country, lang)
    inputs = _call_inputs(cfg, keys=keys, at=at, caller=caller, wait=wait, fail=fail or [], survey=survey,
                          outbound=outbound, operator=operator)  # fmt: skip
    inputs |= {"lang": lang, "staffed": staffed, "staffed_after_hours": staffed_after_hours}
    result, rows = _simulate(cfg, inputs, state, show_tables)
    from helpline.flows.call_output import call_report, print_call

    report = call_report(cfg, result, at=at, caller=inputs["caller"], rows=rows)
    if fmt is Format.json:
        print_json(report)
    else:
        print_call(out, report)
    exit_with(not report["safe"])  # a caller left without a way forward is a finding


def _call_inputs(cfg, *, keys, at, caller, wait, fail, survey, outbound, operator) -> dict:
    """The call's options, checked before anything runs: a bad one is one line and exit 2."""
    from helpline.flows.call_output import default_caller
    from helpline.flows.operator import OperatorScriptError, load_operator_script
    from helpline.flows.simulate import SimulationError, parse_at

    if caller is None and (caller := default_caller(cfg)) is None:
        bad_input(f"--caller: no calling code known for {cfg.code.upper()}; give --caller +<E.164 number>")
    number = _caller_number(caller)
    try:
        parse_at(at, cfg)
    except SimulationError as exc:
        bad_input(str(exc))
    if wait < 0:
        bad_input(f"--wait {wait:g}: seconds in the queue cannot be negative")
    outbound_inputs = _outbound_inputs(outbound)
    if outbound_inputs is not None and keys:
        bad_input("--outbound: the person who answers gives the --outbound inputs; drop --press")
    if outbound_inputs is not None and cfg.outbound_survey is None:
        bad_input(f"--outbound: no outbound survey in {cfg.code} (surveys: kind outbound)")
    try:
        script = load_operator_script(operator) if operator is not None else None
    except OperatorScriptError as exc:
        bad_input(f"--operator: {exc}")
    return {"presses": keys, "at": at, "caller": number, "wait": wait, "fail": _fail_values(cfg, fail),
            "survey": _survey_inputs(survey), "outbound": outbound_inputs, "operator": script}  # fmt: skip


def _simulate(cfg, inputs: dict, state: Path | None, show_tables: bool):
    """Run the call on a sandbox of its own (kept in ``state``); the rows it wrote or changed when asked."""
    from helpline.flows.call_output import changed_rows
    from helpline.flows.operator import OperatorScriptError
    from helpline.flows.simulate import SimulationError, backend_for, simulate_call
    from helpline.sandbox import SandboxStateError

    rows = None
    try:
        with (
            contextlib.redirect_stdout(io.StringIO()),  # the handlers' log lines
            backend_for(cfg, fail_dynamodb="dynamodb" in inputs["fail"], state_dir=state) as backend,
        ):
            before = backend.dump_tables() if show_tables else {}
            result = simulate_call(cfg, backend=backend, **inputs)
            if show_tables:
                rows = changed_rows(before, result.tables)
    except OperatorScriptError as exc:
        bad_input(f"--operator: {exc}")
    except SandboxStateError as exc:
        bad_input(f"--state: {exc}")
    except SimulationError as exc:
        print(f"simulation stopped: {exc}", file=sys.stderr)
        raise typer.Exit(FINDINGS) from None
    return result, rows


def _caller_number(caller: str) -> str:
    """--caller through the one number normaliser, or 'anonymous' (as the scenarios give a withheld number).
    The handlers get the ASCII E.164 form: what the Lambda event example of
    https://docs.aws.amazon.com/lambda/latest/dg/services-connect.html shows in CustomerEndpoint.Address
    (an example, not a documented format: a live assumption)."""
    from functions.logic.pseudonym import normalise_e164

    number = "anonymous" if caller.strip().lower() == "anonymous" else normalise_e164(caller)
    if number is None:
        bad_input("--caller is not an E.164 phone number (e.g. +48600700800) nor 'anonymous'")
    return number


@app.command()
def diagram(
    country: Annotated[str, typer.Argument(help="Country code (e.g. pl) or a flow JSON file (any export).")],
    files: Annotated[list[Path] | None, typer.Argument(help="More flow JSON files.")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Draw only this language's flows (plus the shared ones).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output folder (default build/diagrams): <out>/<country>/<flow>.dot, .svg, .png; files: <out>/<stem>.*",
        ),
    ] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Draw flows: every flow of a country (SVG and PNG, the words callers hear) or flow files (SVG).

    Without graphviz 'dot' the DOT sources are written instead, with a note; the exit status is 0.
    Exit 1: a flow cannot be rendered or drawn; 2: bad input (an unknown country or language, a flow
    file that cannot be read, is not JSON or is not a JSON object). --format json lists the files
    written and their bytes.
    """
    from helpline.flows.diagram import DiagramError, DiagramInputError, DotMissing, write_diagrams, write_file_diagrams

    out_dir = out_dir or generated("diagrams")
    cfg = None if country.endswith(".json") or Path(country).is_file() else _load(country, lang)
    note = None
    try:
        with progress_bar(err, "drawing diagrams") as bar:

            def drawn(done: int, total: int, name: str) -> None:
                bar.update(0, completed=done, total=total, description=f"drawing {name}")

            if cfg is None:
                paths = write_file_diagrams([Path(country), *(files or [])], out_dir, progress=drawn)
            else:
                paths = write_diagrams(cfg, out_dir, lang=lang, progress=drawn)
    except DotMissing as exc:
        note, paths = str(exc), exc.paths
        err.print(f"note: {note}", markup=False)
    except DiagramInputError as exc:
        bad_input(str(exc))
    except DiagramError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(FINDINGS) from None
    written = [{"file": str(p), "bytes": p.stat().st_size} for p in paths]
    if fmt is Format.json:
        print_json({"out": str(out_dir), "files": written, "pictures": note is None, "note": note})
        return
    table = Table("file", "bytes")
    for item in written:
        table.add_row(item["file"], str(item["bytes"]))
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
    fmt: FormatOpt = Format.text,
) -> None:
    """Read-only checks before a first deploy: PASS/WARN/FAIL per line with the fix; exits 1 if any FAIL.

    Exits 2 with one line on bad input: an unknown country or a country file with errors, or when AWS
    cannot be asked at all (no or rejected credentials, no network). --format json: each check's name,
    status, message and fix.
    """
    import boto3
    from botocore.exceptions import BotoCoreError

    from helpline.config import ConfigError, load_country
    from helpline.preflight import PreflightError, fatal_line, run_preflight

    try:
        cfg = load_country(country, stage=stage) if stage is not None else _load(country)
    except ConfigError as exc:
        bad_input(str(exc))
    try:
        session = boto3.Session(profile_name=profile, region_name=cfg.region)
        checks = run_preflight(cfg, session)
    except PreflightError as exc:
        bad_input(f"preflight {cfg.code}: {exc}")
    except BotoCoreError as exc:  # NoCredentialsError, ProfileNotFound, EndpointConnectionError, ...
        bad_input(f"preflight {cfg.code}: {fatal_line(exc)}")
    failed = sum(c.status == "FAIL" for c in checks)
    warned = sum(c.status == "WARN" for c in checks)
    summary = f"preflight {cfg.code} ({cfg.stack_name}, {cfg.region}): {failed} failed, {warned} warning(s)"
    if fmt is Format.json:
        found = [{"name": c.name, "status": c.status, "message": c.detail, "fix": c.fix} for c in checks]
        print_json({"country": cfg.code, "stack": cfg.stack_name, "region": cfg.region, "checks": found,
                    "failed": failed, "warnings": warned})  # fmt: skip
    else:
        for check in checks:
            out.print(check.line(), markup=False)
    err.print(summary, markup=False)
    exit_with(failed > 0)


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
    fmt: FormatOpt = Format.text,
) -> None:
    """Every recorded prompt file a country needs, the exact text to record, and its status.

    Status: ok, missing, invalid (with the reason), placeholder (synthetic stand-in). Exits 1 if
    a file is missing or invalid (or placeholders could not be made), 2 on a bad country code or
    option. --placeholders shows a progress bar on stderr. docs/recording-prompts.md.
    """
    from rich.text import Text

    from helpline.flows.render import RenderError
    from helpline.prompts import PromptError, check_prompts, prune_placeholders
    from helpline.prompts.check import CONVERT, NOT_PHONE_FORMAT, report_json, status_text, summary_line
    from helpline.prompts.espeak import SpeechError
    from helpline.prompts.placeholders import synthesise_with_progress

    if ctx.args:
        usage = "helpline prompts COUNTRY [--placeholders] [--format text|json]"
        bad_input(f"unexpected argument(s): {' '.join(ctx.args)} (usage: {usage})")
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
        raise typer.Exit(FINDINGS) from None
    if fmt is Format.json:
        print_json(report_json(report) | {"written": [str(p) for p in written], "removed": [str(p) for p in removed]})
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
    exit_with(not report.ok)


def deploy_command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    stage: Annotated[str | None, typer.Option("--stage", help="Stage (default: the country file's).")] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile (default chain otherwise).")] = None,
    approval: Annotated[
        str | None,
        typer.Option(
            "--approval",
            help="cdk --require-approval: broadening (default in a terminal), never "
            "(default unattended, e.g. CI/CD), any-change.",
        ),
    ] = None,
    allow_placeholders: Annotated[
        bool, typer.Option("--allow-placeholders", help="Deploy a production stage with synthetic recordings.")
    ] = False,
    start: Annotated[
        str, typer.Option("--from", help="Resume at: preflight, recordings, country, tests, smoke-test, verify-live.")
    ] = "preflight",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the recordings offline; print every other stage's command, run none."),
    ] = False,
    fmt: FormatOpt = Format.text,
) -> None:
    """Deploy a country: preflight, recordings, country stack, test stack, smoke-test, verify-live.

    Stops at the first failing stage with what to do; exit 0 all passed, 1 a stage or check failed, 2 bad input.
    --format json: the running lines (and every stage's own output) go to stderr, and one JSON document
    at the end lists each stage with its status (passed, failed, not run, or its command in a dry run).
    """
    from helpline.config import ConfigError, load_country
    from helpline.deploy import DeployError, Options, execute, plan

    opts = Options(country, stage, profile, approval, allow_placeholders, start, dry_run)
    try:
        cfg = load_country(country, stage=stage)
        steps = plan(cfg, opts, interactive=sys.stdin.isatty())
    except (ConfigError, DeployError) as exc:
        bad_input(str(exc))
    if fmt is Format.text:
        raise typer.Exit(execute(steps, dry_run=dry_run, say=lambda line: out.print(line, markup=False)))
    statuses = _Stages(steps, dry_run)
    code = execute(statuses.steps, run=statuses.run, dry_run=dry_run, say=lambda line: err.print(line, markup=False))
    print_json({"country": cfg.code, "stage": cfg.stage, "dry_run": dry_run, "stages": statuses.summary(),
                "result": "passed" if code == OK else "failed"})  # fmt: skip
    raise typer.Exit(code)


class _Stages:
    """What became of each deploy stage, for ``deploy --format json``: the steps are run as planned,
    a command's output goes to standard error (standard output holds the one JSON document)."""

    def __init__(self, steps: list, dry_run: bool) -> None:
        from dataclasses import replace

        self.dry_run = dry_run
        self.planned = steps
        self.found: dict[str, dict] = {}
        self.names = {id(step.argv): step.name for step in steps if step.check is None}
        self.steps = [replace(step, check=self._checked(step)) if step.check else step for step in steps]

    def _checked(self, step):
        def check() -> str | None:
            problem = step.check()
            self.found[step.name] = {"status": "passed" if problem is None else "failed", "message": problem}
            return problem

        return check

    def run(self, argv) -> int:
        """A stage's command, as helpline.deploy runs it but with its standard output on standard error."""
        import subprocess

        try:
            stdout = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):  # a captured stream (tests): the process's own stderr
            stdout = 2
        root = Path(__file__).resolve().parents[1]  # the project, where helpline.deploy runs its commands
        code = subprocess.run(list(argv), cwd=root, stdout=stdout, check=False).returncode  # noqa: S603
        self.found[self.names[id(argv)]] = {"status": "passed" if code == 0 else "failed", "exit_code": code}
        return code

    def summary(self) -> list[dict]:
        """Every planned stage: passed or failed (with its exit code or message), its command where a dry
        run printed it, or not run (after the stage the deploy stopped at)."""
        from helpline.deploy import CHECKS

        rows, stopped = [], False
        for step in self.planned:
            row = {"name": step.name, "command": " ".join(step.argv) if step.argv else None}
            if not stopped and step.name in self.found:
                row |= self.found[step.name]
                stopped = row["status"] == "failed" and step.name not in CHECKS
            else:
                row["status"] = "printed" if self.dry_run and step.check is None and not stopped else "not run"
            rows.append(row)
        return rows


def upgrade_country_command(
    country: Annotated[str, typer.Argument(help="Country code (e.g. pl) or path of a country file.")],
    write: Annotated[
        bool, typer.Option("--write", help="Make the mechanical changes (renames, the format key) in the file.")
    ] = False,
    fmt: FormatOpt = Format.text,
) -> None:
    """List every change a country file of an older format needs (docs/country-file-CHANGELOG.md).

    With --write, renamed fields and the format key are rewritten in place (comments kept) and what a
    person must still write is listed. Exit 0 nothing left to do, 1 changes remain (any change without
    --write, a change a person must make with it), 2 bad input (no such file, not YAML, a format this
    release cannot read). --format json: the changes, each with field, message, fix, whether
    upgrade-country --write makes it and whether it was made."""
    from helpline.config.upgrade import FORMAT_VERSION, upgrade_country

    def warn(line: str) -> None:
        print(line, file=sys.stderr)

    def say(line: str) -> None:
        out.print(line, markup=False)

    if fmt is Format.text:
        raise typer.Exit(upgrade_country(country, write=write, countries_dir=_countries_dir(), say=say, warn=warn))
    listed: list[str] = []  # the changes, as the listing without --write says them
    code = upgrade_country(country, write=False, countries_dir=_countries_dir(), say=listed.append, warn=warn)
    if write and code != BAD_INPUT:
        code = upgrade_country(country, write=True, countries_dir=_countries_dir(), say=lambda _: None, warn=warn)
    if code == BAD_INPUT:
        raise typer.Exit(code)
    changes = [_upgrade_change(line, write) for line in listed if line.endswith(tuple(_UPGRADE_TAGS))]
    left = sum(not change["done"] for change in changes)
    file = _shown(_country_file(country, _countries_dir()))
    print_json({"file": file, "format": FORMAT_VERSION, "changes": changes, "written": write, "left_to_do": left})
    raise typer.Exit(code)


_UPGRADE_TAGS = {" [upgrade-country --write does this]": True, " [a person must write this]": False}


def _upgrade_change(line: str, written: bool) -> dict:
    """One line of upgrade-country's listing ('<file>: <field>: <problem>; fix: <fix> [tag]') as data."""
    tag = next(t for t in _UPGRADE_TAGS if line.endswith(t))
    mechanical = _UPGRADE_TAGS[tag]
    problem = _problem(line.removesuffix(tag), "error")
    return {key: problem[key] for key in ("field", "message", "fix")} | {
        "mechanical": mechanical,
        "done": written and mechanical,
    }


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
