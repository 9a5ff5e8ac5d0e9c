"""Renders every result under bench/results/ as one table in BENCHMARKS.md, with the machines they ran on.

    python bench/summary.py [--out BENCHMARKS.md]

Each bench writes its own JSON (DESIGN.md "Benchmarks (contract)"); this only reads them, so the table always says
what the last run of each bench measured, never a number typed by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
HIGHER_IS_BETTER = {"alerts/s", "rows/s"}  # rates: a budget is a floor


def budget_of(figure: dict[str, Any]) -> tuple[str, str]:
    """Every budget the figure names, as text, and ✓ / ✗ for whether the measured figures keep them all."""
    texts, kept = [], []
    higher = figure.get("unit") in HIGHER_IS_BETTER
    for key in ("budget_p50", "budget_p95", "budget_p99", "budget"):
        budget = figure.get(key)
        if budget is None:
            continue
        stat = "value" if key == "budget" else key.removeprefix("budget_")
        texts.append(f"{stat} {'≥' if higher else '≤'} {budget}")
        measured = figure.get(stat)
        if measured is not None:
            kept.append(measured >= budget if higher else measured <= budget)
    return ", ".join(texts), ("✓" if all(kept) else "✗") if kept else ""


def cell(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def render(results: list[dict[str, Any]]) -> str:
    lines = ["# Benchmarks", "",
             "Made by `python bench/summary.py` from `bench/results/*.json`; rerun a bench, then this, to refresh.",
             "Timings are from a 2-core machine shared with other work: compare runs, not single numbers.", "",
             "| bench | figure | database | unit | p50 | p95 | p99 / value | n | budget | kept |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- | :---: |"]
    machines = {}
    for result in results:
        machines[result["bench"]] = result.get("machine", {})
        for figure in result["figures"]:
            budget, kept = budget_of(figure)
            last = figure.get("p99", figure.get("value"))
            lines.append(f"| {result['bench']} | {figure['name']} | {figure.get('database', '')} | "
                         f"{figure.get('unit', '')} | {cell(figure.get('p50'))} | {cell(figure.get('p95'))} | "
                         f"{cell(last)} | {cell(figure.get('n'))} | {budget} | {kept} |")
    lines += ["", "## Machines", "", "| bench | machine |", "| --- | --- |"]
    for bench, described in machines.items():
        lines.append(f"| {bench} | {', '.join(f'{k} {v}' for k, v in described.items())} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "BENCHMARKS.md")
    args = parser.parse_args()
    found = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(RESULTS.glob("*.json"))]
    results = [result for result in found if "bench" in result]  # not a side file (soak.tracemalloc.json)
    args.out.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.out} ({sum(len(r['figures']) for r in results)} figures from {len(results)} benches)")


if __name__ == "__main__":
    main()
