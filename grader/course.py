"""The course manifest: ``course.yaml`` -> typed, validated objects.

Every mistake in the manifest becomes one ``CourseError`` whose message names the file, the exercise
and the field, because an instructor reads it in a CI log, not in a debugger.
"""
from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader import calibration
from grader.i18n import _

LANGUAGES = ("pl", "en")
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_MEMORY_LIMIT_MB = 6144
MAX_MANIFEST_BYTES = 1_000_000
MAX_TIME_LIMIT = 86_400.0       # a day; the limits must stay numbers that timers and rlimits accept
MAX_MEMORY_LIMIT_MB = 1 << 30


class CourseError(ValueError):
    """A malformed or inconsistent course.yaml (one line, names file, exercise and field)."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: dict[str, str]
    module: str  # file name a student fills in, e.g. "kernels.py"
    checks: tuple[Path, ...]
    hidden_checks: tuple[Path, ...] = ()
    hidden_weights: tuple[float, ...] = ()  # of hidden checks left out of this copy (the student distribution)
    points: float | None = None  # None: the sum of the checks' weights
    time_limit: float = DEFAULT_TIME_LIMIT
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
    threads: int = 1  # torch CPU threads while checking; 0 = torch's default (one per core), for training
    tags: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # a quiz's checks also get `quiz_file` (its path)
    quiz: Path | None = None  # quiz exercises: the questions file (grader/quiz.py); forms are made from it

    @property
    def module_name(self) -> str:
        return Path(self.module).stem

    @property
    def hidden_count(self) -> int:
        """Hidden checks left out of this copy of the course: they run at final grading."""
        return len(self.hidden_weights)

    @property
    def slow(self) -> bool:
        return "slow" in self.tags

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()))

    def check_files(self, include_hidden: bool = True) -> tuple[Path, ...]:
        return self.checks + (self.hidden_checks if include_hidden else ())


@dataclass(frozen=True)
class Course:
    title: dict[str, str]
    language: str
    path: Path
    exercises: tuple[Exercise, ...]
    seed: int = 0
    version: str = ""  # content hash of the manifest and check files: batch grading re-runs on change

    @property
    def root(self) -> Path:
        return self.path.parent

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        ids = [ex.id for ex in self.exercises]
        close = difflib.get_close_matches(exercise_id, ids, n=3, cutoff=0.6)
        if close:
            raise CourseError(_("{path}: no exercise '{id}'; did you mean {close}?").format(
                path=self.path, id=exercise_id, close=" / ".join(close)))
        raise CourseError(_("{path}: no exercise '{id}' (known: {known})").format(
            path=self.path, id=exercise_id, known=", ".join(ids)))

    def by_module(self, module_name: str) -> Exercise | None:
        return next((ex for ex in self.exercises if ex.module_name == module_name), None)

    def select(self, ids: list[str] | tuple[str, ...] | None = None, *, skip_slow: bool = False) -> list[Exercise]:
        chosen = [self.exercise(i) for i in ids] if ids else list(self.exercises)
        return [ex for ex in chosen if not (skip_slow and ex.slow and not ids)]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or next(iter(self.title.values()))


_COURSE_KEYS = {"title", "language", "seed", "defaults", "exercises"}
_DEFAULT_KEYS = {"time_limit", "memory_limit_mb", "threads"}
_EXERCISE_KEYS = {"id", "title", "module", "checks", "hidden_checks", "hidden_weights", "points", "time_limit",
                  "memory_limit_mb", "threads", "tags", "settings", "quiz"}


class _Where:
    """Builds error messages that say where in the manifest the problem is."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, message: str, exercise: str | None = None, key: str | None = None) -> CourseError:
        where = str(self.path)
        if exercise is not None:
            where += f": exercise '{exercise}'"
        if key is not None:
            where += f", field '{key}'" if exercise is not None else f": field '{key}'"
        return CourseError(" ".join(f"{where}: {message}".splitlines()))  # one line, even for a key with a newline


def find_course(start: Path | None = None) -> Path:
    """course.yaml in ``start`` or the nearest parent folder, like git finds its repository."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "course.yaml"
        if candidate.is_file():
            return candidate
    raise CourseError(f"no course.yaml in {here} or its parents: run from the course folder or pass --course PATH")


def load_course(path: str | Path | None = None) -> Course:
    path = Path(path) if path else find_course()
    where = _Where(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise where.fail(f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw_bytes) > MAX_MANIFEST_BYTES:
        raise where.fail(f"file is larger than {MAX_MANIFEST_BYTES} bytes; a course manifest is a short text file")
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise where.fail(f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        # SafeLoader: no !!python tags. Aliases are refused outright, which also stops alias bombs.
        raw = yaml.load(text, Loader=_NoAliasSafeLoader)
    except RecursionError:
        raise where.fail("invalid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise where.fail(f"invalid YAML{line}: {problem}") from None
    if not isinstance(raw, dict):
        raise where.fail("the top level must be a mapping with 'title', 'language' and 'exercises'")
    _reject_unknown(raw, _COURSE_KEYS, where)

    title = _title(raw.get("title"), where, None)
    language = raw.get("language", "en")
    if language not in LANGUAGES:
        raise where.fail(f"must be one of {', '.join(LANGUAGES)}, got {language!r}", key="language")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise where.fail(f"must be a whole number from 0 to 2**32 - 1 (what numpy accepts), got {seed!r}", key="seed")

    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise where.fail("must be a mapping", key="defaults")
    _reject_unknown(defaults, _DEFAULT_KEYS, where, context="defaults")

    entries = raw.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise where.fail("must be a non-empty list of exercises", key="exercises")
    exercises: list[Exercise] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        ex = _exercise(entry, index, defaults, path.parent, where)
        if ex.id in seen:
            raise where.fail("duplicate id: every exercise needs its own", exercise=ex.id, key="id")
        if any(other.module_name == ex.module_name for other in exercises):
            raise where.fail(f"module {ex.module} is already used by another exercise", exercise=ex.id, key="module")
        seen.add(ex.id)
        exercises.append(ex)
    course = Course(title=title, language=language, path=path, exercises=tuple(exercises), seed=seed)
    return Course(**{**course.__dict__, "version": _version(course, raw_bytes)})


class _NoAliasSafeLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in course.yaml; write the value out", event.start_mark)
        return super().compose_node(parent, index)


def _budget(value: Any, where: _Where, exercise: str, key: str, kind: str) -> Any:
    """A budget as given, or "3x" resolved against the reference's calibrated CPU seconds on this machine."""
    if not calibration.is_multiple(value):
        return value
    try:
        seconds = calibration.resolve(value, exercise, kind)
    except ValueError:
        raise where.fail(f"{value!r} is not a multiple like 3x", exercise=exercise, key=key) from None
    if seconds is None:
        raise where.fail(f"{value!r} is relative to the reference solution's CPU time, which is not calibrated on "
                         f"this machine: run `convgrade calibrate -e {exercise}` first", exercise=exercise, key=key)
    return seconds


def _resolve_train_budgets(settings: dict, where: _Where, exercise: str) -> dict:
    """``train_time_limit: 3x`` (at the top of settings or under ``datasets.<name>``) -> seconds."""
    resolved = dict(settings)
    if "train_time_limit" in resolved:
        resolved["train_time_limit"] = _budget(resolved["train_time_limit"], where, exercise,
                                               "settings.train_time_limit", "train_cpu")
    if isinstance(resolved.get("datasets"), dict):
        resolved["datasets"] = {
            name: ({**values, "train_time_limit": _budget(values["train_time_limit"], where, exercise,
                                                          f"settings.datasets.{name}.train_time_limit", "train_cpu")}
                   if isinstance(values, dict) and "train_time_limit" in values else values)
            for name, values in resolved["datasets"].items()}
    return resolved


def _reject_unknown(mapping: dict, allowed: set[str], where: _Where, exercise: str | None = None,
                    context: str | None = None) -> None:
    for key in mapping:
        if key not in allowed:
            name = f"{context}.{key}" if context else str(key)
            raise where.fail(f"unknown key; allowed: {', '.join(sorted(allowed))}", exercise=exercise, key=name)


def _title(value: Any, where: _Where, exercise: str | None) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {lang: value for lang in LANGUAGES}
    if isinstance(value, dict) and value and all(k in LANGUAGES and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise where.fail("must be a string or a mapping {pl: ..., en: ...}", exercise=exercise, key="title")


def _number(value: Any, where: _Where, exercise: str, key: str, *, positive: bool,
            maximum: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise where.fail(f"must be a number, got {value!r}", exercise=exercise, key=key)
    if value < 0 or (positive and value == 0):
        raise where.fail(f"must be {'positive' if positive else 'zero or more'}, got {value}", exercise=exercise, key=key)
    if value > maximum:
        raise where.fail(f"must be at most {maximum:g}, got {value:g}", exercise=exercise, key=key)
    return value


def _whole(value: Any, where: _Where, exercise: str, key: str, unit: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4096:
        raise where.fail(f"must be a whole number of {unit} (0 or more), got {value!r}", exercise=exercise, key=key)
    return value


def _exercise(entry: Any, index: int, defaults: dict, root: Path, where: _Where) -> Exercise:
    if not isinstance(entry, dict):
        raise where.fail(f"entry {index + 1} must be a mapping", key="exercises")
    ex_id = entry.get("id")
    if not isinstance(ex_id, str) or not ex_id.isidentifier():
        raise where.fail(f"entry {index + 1} needs an 'id' that is a Python identifier, got {ex_id!r}", key="id")
    _reject_unknown(entry, _EXERCISE_KEYS, where, exercise=ex_id)
    module = entry.get("module", f"{ex_id}.py")
    if not isinstance(module, str) or not module.endswith(".py") or not Path(module).stem.isidentifier() \
            or Path(module).name != module:
        raise where.fail(f"must be a file name like 'kernels.py', got {module!r}", exercise=ex_id, key="module")

    def files(key: str, required: bool) -> tuple[Path, ...]:
        value = entry.get(key, [] if not required else None)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (required and not value) or not all(isinstance(v, str) for v in value):
            raise where.fail("must be a list of check file paths", exercise=ex_id, key=key)
        try:
            paths = tuple((root / v).resolve() for v in value)
            missing = next((given for given, resolved in zip(value, paths) if not resolved.is_file()), None)
        except (OSError, ValueError):  # a NUL byte, a name too long for the file system
            raise where.fail(f"not usable as file paths: {value!r}", exercise=ex_id, key=key) from None
        if missing is not None:
            raise where.fail(f"check file {missing} does not exist", exercise=ex_id, key=key)
        return paths

    points = entry.get("points")
    if points is not None:
        points = _number(points, where, ex_id, "points", positive=False)
    time_limit = _number(_budget(entry.get("time_limit", defaults.get("time_limit", DEFAULT_TIME_LIMIT)), where, ex_id,
                                 "time_limit", "exercise_cpu"),
                         where, ex_id, "time_limit", positive=True, maximum=MAX_TIME_LIMIT)
    memory = _number(entry.get("memory_limit_mb", defaults.get("memory_limit_mb", DEFAULT_MEMORY_LIMIT_MB)),
                     where, ex_id, "memory_limit_mb", positive=True, maximum=MAX_MEMORY_LIMIT_MB)
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise where.fail("must be a list of words such as [slow, gpu-optional]", exercise=ex_id, key="tags")
    settings = entry.get("settings", {})
    if not isinstance(settings, dict):
        raise where.fail("must be a mapping", exercise=ex_id, key="settings")
    settings = _resolve_train_budgets(settings, where, ex_id)
    hidden_weights = entry.get("hidden_weights", [])
    if not isinstance(hidden_weights, list):
        raise where.fail("must be a list of check weights, e.g. [1, 2]", exercise=ex_id, key="hidden_weights")
    hidden_weights = [_number(w, where, ex_id, "hidden_weights", positive=False) for w in hidden_weights]
    threads = _whole(entry.get("threads", defaults.get("threads", 1)), where, ex_id, "threads", "threads")
    quiz = entry.get("quiz")
    if quiz is not None:
        if not isinstance(quiz, str) or not (root / quiz).is_file():
            raise where.fail(f"quiz file {quiz!r} does not exist (a path relative to course.yaml, like "
                             f"quizzes/chapter13.yaml)", exercise=ex_id, key="quiz")
        quiz = (root / quiz).resolve()
        settings = {**settings, "quiz_file": str(quiz)}
    return Exercise(
        id=ex_id, title=_title(entry.get("title", ex_id), where, ex_id), module=module,
        checks=files("checks", required=True), hidden_checks=files("hidden_checks", required=False),
        hidden_weights=tuple(float(w) for w in hidden_weights), points=points, time_limit=float(time_limit),
        memory_limit_mb=int(memory), threads=threads, tags=tuple(tags), settings=settings, quiz=quiz,
    )


def _version(course: Course, manifest: bytes) -> str:
    digest = hashlib.sha256(manifest)
    for ex in course.exercises:
        for file in (*ex.check_files(), *([ex.quiz] if ex.quiz else [])):
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]
