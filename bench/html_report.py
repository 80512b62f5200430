"""What the HTML report costs on top of grading: time per plot, total render time, file size.

Grades solutions/ (quick exercises, or a saved ``--format json`` result given with --result, e.g. one that
includes MNIST), then renders the report --repeat times and prints the median of each step.
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import grader
from grader import html_report, plots
from grader.results import GradeResult

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, help="a saved `convgrade grade --format json` result to render")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.result:
        result = GradeResult.from_dict(json.loads(args.result.read_text(encoding="utf-8")))
    else:
        start = time.perf_counter()
        result = grader.grade(ROOT / "solutions", course=ROOT / "course.yaml", skip_slow=True)
        print(f"grading solutions/ (quick exercises): {time.perf_counter() - start:.2f} s")
    for check in result.checks():
        for plotter in plots.PLOTTERS:
            if plotter(check.details) is not None:
                seconds = median_seconds(lambda: plotter(check.details), args.repeat)
                print(f"  {check.name:<50} {plotter.__name__:<18} {seconds * 1000:7.0f} ms")
    seconds = median_seconds(lambda: html_report.to_html(result), args.repeat)
    size = len(html_report.to_html(result).encode("utf-8"))
    print(f"whole report: {seconds:.2f} s, {size / 1024:.0f} KiB, {len(result.exercises)} exercises, "
          f"{sum(1 for _ in result.checks())} checks")


if __name__ == "__main__":
    main()
