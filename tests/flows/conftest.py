"""Fixtures for the flow tests: one local backend at a time, and action coverage per flow.

Every simulated call made through ``run`` is recorded; at the end of the session a table of
action coverage per shipped flow is printed (pytest's terminal summary).
"""

from __future__ import annotations

import contextlib
import io

import pytest

from helpline.config import load_country
from helpline.flows.simulate import Simulator, backend_for
from tests.flows.support import _TOTAL, _VISITED


class _Backends:
    """Keeps one sandbox open (the sandbox allows one at a time), switching country on demand."""

    def __init__(self) -> None:
        self.stack: contextlib.ExitStack | None = None
        self.country: str | None = None
        self.backend = None
        self.sims: dict[str, Simulator] = {}
        self.cfgs: dict = {}

    def get(self, code: str):
        if code not in self.cfgs:
            self.cfgs[code] = load_country(code)
            self.sims[code] = Simulator(self.cfgs[code])
            for name, actions in self.sims[code].actions.items():
                _TOTAL[(code, name)] = set(actions)
        if self.country != code:
            self.close()
            self.stack = contextlib.ExitStack()
            self.backend = self.stack.enter_context(backend_for(self.cfgs[code]))
            self.country = code
        return self.cfgs[code], self.backend, self.sims[code]

    def close(self) -> None:
        if self.stack is not None:
            self.stack.close()
        self.stack, self.country, self.backend = None, None, None


@pytest.fixture(scope="package")
def backends():
    """Torn down when the run leaves tests/flows, so other tests can open their own sandbox."""
    b = _Backends()
    yield b
    b.close()


@pytest.fixture
def free_sandbox(backends):
    """For tests that start their own sandbox (the CLI does): close the shared one first."""
    backends.close()
    yield


@pytest.fixture
def quiet():
    """Handlers log to stdout; keep test output readable."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if not _TOTAL:
        return
    tr = terminalreporter
    tr.section("contact-flow action coverage (scenario tests)")
    tr.write_line(f"{'country':8}{'flow':18}{'actions':>8}{'reached':>9}{'coverage':>10}")
    for (code, flow), total in sorted(_TOTAL.items()):
        hit = len(_VISITED.get((code, flow), set()) & total)
        tr.write_line(f"{code:8}{flow:18}{len(total):>8}{hit:>9}{100 * hit / len(total):>9.0f}%")
