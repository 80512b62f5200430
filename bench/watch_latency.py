"""How long `convgrade watch` takes from saving a file to printing its exercise's new grade.

Starts `convgrade watch` on a temporary folder holding kernels.py, waits for the first report, then
--repeat times saves kernels.py (alternating the reference solution and the stub, so the grade always
changes) and times the moment its "kernels: ..." line appears on watch's output. Prints the median
and the ratio to otter's in-kernel check (~30 ms), the nearest peer (otter has no watch mode).
Target (issue 17): <= 0.5 s.
"""
import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OTTER_CHECK_S = 0.030


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8)
    args = parser.parse_args()
    versions = [ROOT / "solutions" / "kernels.py", ROOT / "exercises" / "kernels.py"]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "kernels.py"
        shutil.copy(versions[1], target)
        watcher = subprocess.Popen([sys.executable, "-m", "grader", "watch", str(target), "--lang", "en",
                                    "--course", str(ROOT / "course.yaml")], stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True).start()
        try:
            while "watching" not in lines.get(timeout=60):
                pass
            latencies = []
            for run in range(args.repeat):
                saved = time.perf_counter()
                shutil.copy(versions[run % 2], target)
                while not lines.get(timeout=60).startswith("kernels:"):
                    pass
                latencies.append(time.perf_counter() - saved)
                time.sleep(0.3)  # let the rest of the report pass
                while not lines.empty():
                    lines.get()
        finally:
            watcher.terminate()
            watcher.wait(10)
    median = statistics.median(latencies)
    print(f"save -> new grade printed (kernels): {median:6.3f} s median  (runs: "
          f"{', '.join(f'{t:.3f}' for t in latencies)}; target <= 0.5 s; ratio to otter's in-kernel check "
          f"{median / OTTER_CHECK_S:.1f}x)")


if __name__ == "__main__":
    main()
