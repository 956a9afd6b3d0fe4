"""Fit and score the BG/NBD model on a million synthetic customers, and check the fit recovers the parameters.

Customers are drawn from a BG/NBD with known parameters, in days: a first purchase 1 to 1,095 days (3 years)
before the end of the calibration, purchases at Poisson rate λ ~ Gamma(r, α) and, after each repeat purchase, a
drop-out with probability p ~ Beta(a, b). Purchase times are whole days (the last purchase rounded up, at least
day 1), as a calendar-day summary gives them. Timed: collapsing to distinct (x, t_x, T) rows, the fit, and the
scoring of every customer (P(alive) and the expected purchases of the next 365 days).

    python bench/bench_clv.py [--customers N] [--seed S] [--repeat K] [--lifetimes PYTHON]

With `--lifetimes PYTHON` (an interpreter with lifetimes installed, in its own environment: `python -m venv
/tmp/lt && /tmp/lt/bin/pip install lifetimes`), lifetimes' BetaGeoFitter is fitted on the same (x, t_x, T) and
predicts the same two things (P(alive) and the expected purchases of the next 365 days), timed in its process the
same way. lifetimes fits every customer's row (it has no collapsing). The two run interleaved, tiercli then
lifetimes, `--repeat` times; the ratio printed is of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tiercli.engine.clv import bgnbd
from tiercli.engine.clv.summary import collapse

TRUE = {"r": 0.25, "alpha": 40.0, "a": 0.8, "b": 2.5}
TOLERANCE = 0.03  # relative, per parameter


def draw(customers: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of `customers` customers drawn from the BG/NBD with the TRUE parameters."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 1096, customers).astype(np.float64)
    rate = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], customers)
    drop = rng.beta(TRUE["a"], TRUE["b"], customers)
    arrivals = rng.poisson(rate * T)
    survived = rng.geometric(np.clip(drop, 1e-12, 1.0))  # repeat purchases up to and including the one after
    x = np.minimum(arrivals, survived)  # which the customer drops out
    last = np.zeros(customers)
    some = x > 0
    last[some] = T[some] * rng.beta(x[some], arrivals[some] - x[some] + 1)  # the x-th of N uniform arrivals
    t_x = np.where(some, np.clip(np.ceil(last), 1.0, T), 0.0)
    return x.astype(np.float64), t_x, T


LIFETIMES_CODE = """
import sys, time
import numpy as np
from lifetimes import BetaGeoFitter
data = np.load(sys.argv[1])
x, t_x, T = data["x"], data["t_x"], data["T"]
start = time.perf_counter()
model = BetaGeoFitter().fit(x, t_x, T)
alive = model.conditional_probability_alive(x, t_x, T)
expected = model.conditional_expected_number_of_purchases_up_to_time(365.0, x, t_x, T)
print("%f %s" % (time.perf_counter() - start, " ".join("%.6g" % v for v in model.params_.values)))
"""


def lifetimes_seconds(python: str, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[float, str]:
    """lifetimes' fit + predict on the same customers, timed in its own process: (seconds, its parameters)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.npz"
        np.savez(path, x=x, t_x=t_x, T=T)
        out = subprocess.run([python, "-c", LIFETIMES_CODE, str(path)], capture_output=True, text=True, check=True)
    seconds, *params = out.stdout.split()
    return float(seconds), " ".join(params)


def ours(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[list[float], bgnbd.Fit, np.ndarray, np.ndarray, int]:
    """tiercli's collapse, fit and scoring of every customer: ([seconds of each step], the fit, P(alive), the
    expected purchases of the next 365 days, the number of distinct rows)."""
    start = time.perf_counter()
    rows, weights, inverse = collapse(x, t_x, T)
    collapsed = time.perf_counter()
    fit = bgnbd.fit(rows[:, 0], rows[:, 1], rows[:, 2], weights)
    fitted = time.perf_counter()
    alive = bgnbd.p_alive(fit.params, rows[:, 0], rows[:, 1], rows[:, 2])[inverse]
    expected = bgnbd.expected_purchases(fit.params, 365.0, rows[:, 0], rows[:, 1], rows[:, 2])[inverse]
    scored = time.perf_counter()
    return [collapsed - start, fitted - collapsed, scored - fitted], fit, alive, expected, rows.shape[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of each (medians are compared)")
    parser.add_argument("--lifetimes", metavar="PYTHON", help="an interpreter with lifetimes installed")
    args = parser.parse_args(argv)
    x, t_x, T = draw(args.customers, args.seed)
    print(f"{args.customers:,} customers: {np.mean(x == 0):.0%} with x = 0, mean x {x.mean():.2f}, "
          f"max x {int(x.max())}")

    mine: list[float] = []
    theirs: list[float] = []
    for run in range(1, args.repeat + 1):
        steps, fit, alive, expected, distinct = ours(x, t_x, T)
        mine.append(sum(steps))
        line = (f"run {run}: tiercli {mine[-1]:.2f} s (collapse {steps[0]:.2f}, fit {steps[1]:.2f} with "
                f"{fit.iterations} iterations, score {steps[2]:.2f})")
        if args.lifetimes:
            seconds, params = lifetimes_seconds(args.lifetimes, x, t_x, T)
            theirs.append(seconds)
            line += f", lifetimes {seconds:.2f} s (r, alpha, a, b = {params})"
        print(line, flush=True)

    print(f"distinct (x, t_x, T) rows: {distinct:,}")
    print(f"converged {fit.converged}: {fit.message}")
    print(f"mean P(alive) {alive.mean():.3f}, expected purchases in the next 365 days {expected.sum():,.0f}")
    worst = 0.0
    for name, value in zip(fit.names, fit.params, strict=True):
        error = value / TRUE[name] - 1.0
        worst = max(worst, abs(error))
        print(f"  {name:>5} true {TRUE[name]:8.4f}  fitted {value:8.4f}  ({error:+.2%})")
    ok = fit.converged and worst <= TOLERANCE
    print("parameters recovered within 3 %" if ok else "PARAMETERS NOT RECOVERED within 3 %")
    print(f"tiercli collapse + fit + score, median of {len(mine)}: {statistics.median(mine):.2f} s")
    if theirs:
        ratios = ", ".join(f"{t / m:.1f}x" for m, t in zip(mine, theirs, strict=True))
        print(f"lifetimes fit + predict, median of {len(theirs)}: {statistics.median(theirs):.2f} s; tiercli "
              f"{statistics.median(theirs) / statistics.median(mine):.1f}x faster (run by run: {ratios})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
