"""Simulated calls per second on this machine, for the standard scenario mix of every country.

Run: ``python -m benchmarks.simulator`` (optional: ``--rounds N``). Each call runs the rendered
flows action by action and the real Lambda handlers against moto (one sandbox per country).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

from helpline.config import load_all
from helpline.flows.scenarios import run_scenario, scenarios_for
from helpline.flows.simulate import Simulator, backend_for


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="times the scenario mix is run per country")
    args = parser.parse_args(argv)
    total_calls = 0
    total_time = 0.0
    rows = []
    for cfg in load_all():
        sim = Simulator(cfg)
        scenarios = scenarios_for(cfg)
        with contextlib.redirect_stdout(io.StringIO()), backend_for(cfg) as backend:
            start = time.perf_counter()
            calls = 0
            steps = 0
            for r in range(args.rounds):
                for sc in scenarios:
                    result = run_scenario(cfg, sc, backend, sim, salt=f"bench{r}")
                    calls += 1 + (1 if sc.before else 0)
                    steps += result.steps
            elapsed = time.perf_counter() - start
        rows.append((cfg.code, calls, elapsed, steps))
        total_calls += calls
        total_time += elapsed
    print(f"{'country':8}{'calls':>7}{'seconds':>9}{'calls/s':>9}{'actions/s':>11}")
    for code, calls, elapsed, steps in rows:
        print(f"{code:8}{calls:>7}{elapsed:>9.2f}{calls / elapsed:>9.1f}{steps / elapsed:>11.0f}")
    print(f"{'all':8}{total_calls:>7}{total_time:>9.2f}{total_calls / total_time:>9.1f}")


if __name__ == "__main__":
    main()
