"""Where a `tiercli classify` run spends its time: seconds per phase, in one process.

    python bench/phases.py FILE [FILE ...] [-r RULES] [--platform NAME]

Runs `tiercli.pipeline.run` on the files (built-in rules unless -r) with the pipeline's phases wrapped in
timers: the CSV transcoding copy (`readers._rewrite`, for files not in UTF-8), the rest of reading (sniffing,
header, the view), each step of the cleaning pass (`engine.clean`: date sampling, day-first decision, building
`lines` — this is where DuckDB actually parses the file —, the id check, late exclusions, item joins, amount
sharing) and the rest of the run (metrics, scores, tiers). A phase the code doesn't have (it is being
reshaped) is left out.
Times nest: a wrapped function's seconds include the phases it calls. Nothing is written.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

# (module, function) pairs timed, outermost first; a function is wrapped where the caller looks it up.
PHASES = (
    ("tiercli.pipeline", "load"),
    ("tiercli.pipeline", "open_file"),
    ("tiercli.sources.readers", "_rewrite"),
    ("tiercli.pipeline", "clean"),
    ("tiercli.engine.clean", "date_columns"),
    ("tiercli.engine.clean", "decide_dayfirst"),
    ("tiercli.engine.clean", "build_lines"),
    ("tiercli.engine.clean", "_check_ids"),
    ("tiercli.engine.clean", "_late_exclusions"),
    ("tiercli.engine.clean", "_join_items"),
    ("tiercli.engine.clean", "_share_order_amounts"),
    ("tiercli.pipeline", "classify_orders"),
    ("tiercli.pipeline", "score"),
    ("tiercli.pipeline", "classify"),
    ("tiercli.pipeline", "summary"),
    ("tiercli.pipeline", "excluded_table"),
)


def wrap(seconds: dict[str, float], label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - t0
    return timed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seconds per phase of a tiercli classify run.")
    parser.add_argument("files", nargs="+")
    parser.add_argument("-r", "--rules", help="rules file (default: the built-in rules)")
    parser.add_argument("--platform", help="force a platform profile")
    args = parser.parse_args(argv)

    from tiercli import pipeline
    from tiercli.rules.load import load_rules, parse_rules
    from tiercli.rules.starter import starter_text

    seconds: dict[str, float] = {}
    labels = []
    for module_name, name in PHASES:
        module = importlib.import_module(module_name)
        func = getattr(module, name, None)
        if callable(func):
            label = f"{module_name.rsplit('.', 1)[-1]}.{name}"
            setattr(module, name, wrap(seconds, label, func))
            labels.append(label)
    rules = load_rules(args.rules) if args.rules else parse_rules(starter_text(), source="built-in rules")
    t0 = time.perf_counter()
    result = pipeline.run(pipeline.RunConfig(files=list(args.files), rules=rules, platform=args.platform))
    total = time.perf_counter() - t0
    for label in labels:
        if label in seconds:
            print(f"{label:<34} {seconds[label]:8.2f} s")
    print(f"{'pipeline.run (total)':<34} {total:8.2f} s")
    read = sum(f.rows_read for f in result.inputs)
    print(f"rows read {read:,}, customers {result.customers.num_rows:,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
