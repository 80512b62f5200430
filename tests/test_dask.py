"""Grading on Dask: a real scheduler and two workers on localhost give the local path's gradebook, a worker
killed mid-run costs no row, and losing the scheduler keeps every finished row.

The class grades two quick exercises (kernels, shapes) under a 3 s time limit: an honest copy of
solutions/ (twice), a plausible wrong answer, a module that loops at import, one that crashes, and a
zip that is not one.
The cluster is started once for the module: ``dask scheduler`` and two ``dask worker`` processes with one
thread each, one under a nanny (as users run them) and one without (so that killing it kills it).
"""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
import dask
from distributed import Client, KilledWorker, LocalCluster

from grader import batch, distributed
from grader.cli import main
from grader.course import load_course
from test_batch import TIMED, assert_slow_ran_alone_and_quick_shared

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ("kernels", "shapes")
OPTIONS = batch.Options(exercises=EXERCISES)
DASK = [str(Path(sys.executable).with_name("dask"))]


@pytest.fixture(scope="module")
def quick_course(tmp_path_factory):
    """This course in English, check paths absolute, every quick exercise limited to 3 s."""
    folder = tmp_path_factory.mktemp("course")
    manifest = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    manifest["language"] = "en"
    for entry in manifest["exercises"]:
        for key in ("checks", "hidden_checks"):
            entry[key] = [str(ROOT / path) for path in entry.get(key, [])]
        entry["time_limit"] = entry["time_limit"] if "slow" in entry.get("tags", []) else 3
        if "quiz" in entry:
            entry["quiz"] = str(ROOT / entry["quiz"])
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return load_course(folder / "course.yaml")


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    wrong = (ROOT / "tests" / "wrong_answers" / "kernels" / "flipped_kernel.py").read_text(encoding="utf-8")
    changes = {"honest": {}, "honest_too": {}, "wrong": {"kernels.py": lambda text: text + "\n\n" + wrong},
               "looping": {"shapes.py": lambda text: text + "\nwhile True:\n    pass\n"},
               "crashing": {"kernels.py": lambda text: "import os\nos._exit(1)\n"}}
    for name, change in changes.items():
        (folder / name).mkdir()
        for module in ("kernels.py", "shapes.py"):
            text = (ROOT / "solutions" / module).read_text(encoding="utf-8")
            (folder / name / module).write_text(change.get(module, lambda t: t)(text), encoding="utf-8")
    (folder / "unzippable.zip").write_bytes(b"not a zip archive")  # its error row names the path handed in
    return folder


@pytest.fixture(scope="module")
def local_gradebook(klass, quick_course, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    batch.grade_all(klass, out, course=quick_course, jobs=2, options=OPTIONS, cache_dir=out / "cache")
    return read_csv(out / batch.CSV_NAME)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """(address, {name: process}) of the scheduler and two one-thread workers; all stopped at the end."""
    address = f"tcp://127.0.0.1:{free_port()}"
    common = ["--nthreads", "1", "--resources", f"{distributed.RESOURCE}=1", "--no-dashboard", "--host", "127.0.0.1"]
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    processes = [subprocess.Popen([*DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        workers = {name: subprocess.Popen([*DASK, "worker", address, "--name", name, *common, *extra], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for name, extra in (("nannied", []), ("victim", ["--no-nanny"]))}
        processes += workers.values()
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, {"scheduler": processes[0], **workers}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_two_workers_write_the_gradebook_of_the_local_path(cluster, klass, quick_course, local_gradebook, tmp_path):
    address, _ = cluster
    assert local_gradebook["honest"]["percent"] == "100.0" and local_gradebook["wrong"]["percent"] != "100.0"
    assert local_gradebook["looping"]["problems"] == "shapes: timeout"
    assert local_gradebook["crashing"]["problems"] == "kernels: crashed"
    assert local_gradebook["unzippable"]["error"].startswith(f"{klass / 'unzippable.zip'}: cannot unzip")

    with distributed.dask_grader(address) as grader:
        rows = batch.grade_all(klass, tmp_path, course=quick_course, options=OPTIONS, grader=grader,
                               cache_dir=tmp_path / "cache")

    assert read_csv(tmp_path / batch.CSV_NAME) == local_gradebook
    assert {row.result.submission for row in rows if row.result} == {
        str(klass / name) for name, line in local_gradebook.items() if line["status"] == "graded"}


def test_a_worker_killed_mid_run_costs_no_row(cluster, klass, quick_course, local_gradebook, tmp_path):
    address, processes = cluster
    recorded = Counter()
    with distributed.dask_grader(address) as grader:
        victim = next(w for w, info in grader.client.scheduler_info(n_workers=-1)["workers"].items()
                      if info["name"] == "victim")
        run = threading.Thread(target=batch.grade_all, args=(klass, tmp_path), kwargs=dict(
            course=quick_course, options=OPTIONS, grader=grader, cache_dir=tmp_path / "cache",
            on_student=lambda row: recorded.update([row.student.id])))
        run.start()
        deadline = time.monotonic() + 60
        while not grader.client.processing().get(victim) and time.monotonic() < deadline:
            time.sleep(0.05)
        killed_mid_task = bool(grader.client.processing().get(victim))
        processes["victim"].send_signal(signal.SIGKILL)
        run.join(timeout=120)

    assert killed_mid_task and not run.is_alive()
    assert recorded == Counter(list(local_gradebook))  # every student recorded once, none twice
    assert read_csv(tmp_path / batch.CSV_NAME) == local_gradebook
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == sorted(local_gradebook)


def test_a_student_whose_grading_kills_its_workers_is_an_error_row():
    class Failed:  # a finished Dask future whose task the scheduler gave up on
        def result(self):
            raise KilledWorker("convgrade-mallory", "tcp://127.0.0.1:1", allowed_failures=2)

    row = distributed._row(batch.Student("mallory", Path("mallory")), Failed())

    assert row.result is None and row.error.startswith("grading this student stopped every Dask worker that tried it")


def test_losing_the_scheduler_keeps_every_finished_row_and_a_rerun_resumes(cluster, klass, quick_course, tmp_path):
    """Runs last: it stops the module's scheduler."""
    address, processes = cluster
    finished = []

    def stop_after_the_first(row):
        finished.append(row.student.id)
        if len(finished) == 1:
            processes["scheduler"].send_signal(signal.SIGKILL)

    with pytest.raises(distributed.ClusterError, match=f"lost the Dask scheduler at {address}"):
        with distributed.dask_grader(address) as grader:
            batch.grade_all(klass, tmp_path, course=quick_course, options=OPTIONS, grader=grader,
                            cache_dir=tmp_path / "cache", on_student=stop_after_the_first)

    table = read_csv(tmp_path / batch.CSV_NAME)
    assert len(table) == 6 and table[finished[0]]["status"] == "graded"
    not_reached = [name for name, line in table.items() if line["error"].startswith("not graded: the run stopped")]
    assert not_reached and set(not_reached).isdisjoint(finished)
    rerun = batch.grade_all(klass, tmp_path, course=quick_course, options=OPTIONS, cache_dir=tmp_path / "cache",
                            jobs=2)
    assert {row.student.id for row in rerun if row.reused} == {
        name for name in finished if table[name]["status"] == "graded"}


def test_cli_dask_grades_on_a_cluster_of_its_own(klass, quick_course, local_gradebook, tmp_path):
    subs = tmp_path / "subs"
    for name in ("honest", "wrong"):
        shutil.copytree(klass / name, subs / name)

    run = CliRunner().invoke(main, ["grade-all", str(subs), "--course", str(quick_course.path), "-o",
                                    str(tmp_path / "out"), "--dask", "--jobs", "1", "--cache-dir",
                                    str(tmp_path / "cache"), "-e", "kernels", "-e", "shapes"])

    assert run.exit_code == 0, run.output
    assert read_csv(tmp_path / "out" / batch.CSV_NAME) == {n: local_gradebook[n] for n in ("honest", "wrong")}




def test_training_tasks_have_a_worker_to_themselves_while_quick_ones_share_it(tmp_path):
    (tmp_path / "check_timed.py").write_text(TIMED)
    log = tmp_path / "ran.log"
    (tmp_path / "course.yaml").write_text("title: turns\nlanguage: en\nexercises:\n" + "".join(
        f"  - {{id: {name}, checks: [check_timed.py], tags: [{kind}], settings: {{log: '{log}', kind: {kind}}}}}\n"
        for name, kind in (("first", "quick"), ("train", "slow"), ("last", "quick"))))
    for name in "abc":
        (tmp_path / "subs" / name).mkdir(parents=True)
        for module in ("first", "train", "last"):
            (tmp_path / "subs" / name / f"{module}.py").write_text("ANSWER = 1\n")
    course = load_course(tmp_path / "course.yaml")

    with dask.config.set(distributed.CONFIG), LocalCluster(n_workers=1, threads_per_worker=2, dashboard_address=None,
                                                           resources={distributed.RESOURCE: 1}) as cluster, \
            Client(cluster) as client:
        rows = batch.grade_all(tmp_path / "subs", tmp_path / "out", course=course, grader=distributed.OnDask(client),
                               cache_dir=tmp_path / "cache")

    assert [[ex.id for ex in row.result.exercises] for row in rows] == [["first", "train", "last"]] * 3
    assert_slow_ran_alone_and_quick_shared(log, expected_runs=9)


def test_without_dask_installed_the_cli_says_what_to_install(klass, quick_course, tmp_path, monkeypatch):
    import grader

    monkeypatch.delitem(sys.modules, "grader.distributed")
    monkeypatch.delattr(grader, "distributed")
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError

    run = CliRunner().invoke(main, ["grade-all", str(klass), "--course", str(quick_course.path), "-o", str(tmp_path),
                                    "--dask"])

    assert run.exit_code == 2
    assert run.output.strip() == 'convgrade: error: grading on Dask needs the dask extra: pip install "convgrade[dask]"'


def test_an_unreachable_scheduler_is_one_line_and_exit_1(klass, quick_course, tmp_path, monkeypatch):
    monkeypatch.setattr(distributed, "CONNECT_SECONDS", 1)
    address = f"tcp://127.0.0.1:{free_port()}"

    run = CliRunner().invoke(main, ["grade-all", str(klass), "--course", str(quick_course.path), "-o", str(tmp_path),
                                    "--scheduler", address])

    assert run.exit_code == 1
    assert run.output.startswith(f"convgrade: cannot reach the Dask scheduler at {address}: ")
    assert len(run.output.strip().splitlines()) == 1
