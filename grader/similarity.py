"""Which submissions of an exercise are most alike, for an instructor to look at: never a verdict.

Fingerprinting, winnowing and the shared passages come from copydetect (the optional extra
``similarity``), not from code of ours: every student's module is tokenised (names and strings
normalised, comments dropped), and k-gram fingerprints that also occur in the stub everyone received
(``exercises/<module>.py`` and its notebook) are removed first, so the given text never makes two
students look alike. Each pair's score is copydetect's: the share of a file's tokens found in the other,
the larger of the two. Pairs at or above the instructor's threshold are listed, most similar first, with
the line ranges they share. Similar code is common for short exercises with one natural solution; the
list says where to look, and deciding what it means stays with the instructor.
"""
from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.assign import EXERCISES, NOTEBOOKS, stub_source
from grader.batch import Student, find_students
from grader.course import Course, CourseError, Exercise
from grader.i18n import _
from grader.submission import SOURCE_READERS, SubmissionError, prepare

SIMILARITY_CSV = "similarity.csv"
COLUMNS = ["exercise", "student_a", "student_b", "similarity", "similarity_a", "similarity_b", "shared_tokens",
           "lines_a", "lines_b", "longest_shared_passage"]
DEFAULT_THRESHOLD = 0.5
DEFAULT_TOP = 10
PASSAGE_CHARS = 600  # of the longest shared passage, kept in the CSV


@dataclass
class SimilarPair:
    exercise: str
    student_a: str
    student_b: str
    similarity_a: float  # share of a's tokens also in b
    similarity_b: float
    shared_tokens: int
    lines_a: list[tuple[int, int]]  # first and last line of each passage shared, in a's file
    lines_b: list[tuple[int, int]]
    longest_passage: str

    @property
    def similarity(self) -> float:
        return max(self.similarity_a, self.similarity_b)


@dataclass
class SimilarityReport:
    pairs: list[SimilarPair]  # per exercise (in the course's order), most similar first
    skipped: list[str]        # one line per submission that could not be read


def _copydetect():
    try:
        import copydetect
    except ImportError:
        raise CourseError(_("the similarity report needs copydetect: pip install 'convgrade[similarity]'")) from None
    return copydetect


def find_similar(submissions: str | Path, course: Course, exercises: list[str] | None = None, *,
                 threshold: float = DEFAULT_THRESHOLD, top: int = DEFAULT_TOP) -> SimilarityReport:
    """The ``top`` most similar pairs per exercise whose similarity is at least ``threshold`` (0 to 1)."""
    copydetect = _copydetect()
    chosen = course.select(exercises)
    sources: dict[str, dict[str, str]] = {ex.module_name: {} for ex in chosen}  # module -> student -> code
    skipped = []
    for student in find_students(Path(submissions)):
        try:
            for module, code in _sources(student, course, chosen):
                sources[module][student.id] = code
        except SubmissionError as exc:
            skipped.append(str(exc))
    pairs = []
    for ex in chosen:
        found = [pair for pair in _compare(copydetect, ex, sources[ex.module_name], _boilerplate(course, ex))
                 if pair.similarity >= threshold]
        pairs += sorted(found, key=lambda p: (-p.similarity, p.student_a, p.student_b))[:top]
    return SimilarityReport(pairs, skipped)


def _sources(student: Student, course: Course, chosen: list[Exercise]) -> Iterator[tuple[str, str]]:
    """(module, code) of each chosen exercise the student handed in; a lone file is the one exercise asked for."""
    wanted = {ex.module_name for ex in chosen}
    path = student.path
    if path.is_file() and path.suffix in SOURCE_READERS and course.by_module(path.stem) is None:
        if len(chosen) == 1:
            yield chosen[0].module_name, SOURCE_READERS[path.suffix](path)[1]
        return
    with prepare(path, course) as submission:
        for module in sorted(submission.modules & wanted):
            yield module, (submission.folder / f"{module}.py").read_text(encoding="utf-8")


def _boilerplate(course: Course, exercise: Exercise) -> list[str]:
    """The stub everyone received, as a .py file and as the notebook's code; from the solution when not written."""
    stub = course.root / EXERCISES / exercise.module
    texts = [stub.read_text(encoding="utf-8") if stub.is_file() else stub_source(course, exercise)]
    notebook = course.root / NOTEBOOKS / f"{exercise.module_name}.ipynb"
    if notebook.is_file():
        texts.append(SOURCE_READERS[".ipynb"](notebook)[1])
    return texts


def _compare(copydetect, exercise: Exercise, codes: dict[str, str], boilerplate: list[str]) -> Iterator[SimilarPair]:
    import numpy as np

    k, window = copydetect.defaults.NOISE_THRESHOLD, copydetect.defaults.GUARANTEE_THRESHOLD
    name = exercise.module
    given = np.unique(np.concatenate([
        np.array(list(copydetect.CodeFingerprint(name, k, 1, fp=io.StringIO(text)).hashes), dtype=np.int64)
        for text in boilerplate]))
    prints = {student: copydetect.CodeFingerprint(name, k, window - k + 1, boilerplate=given, fp=io.StringIO(code))
              for student, code in codes.items()}
    for a, b in itertools.combinations(sorted(prints), 2):
        shared, (share_a, share_b), (slices_a, slices_b) = copydetect.compare_files(prints[a], prints[b])
        if not shared:
            continue
        lines_a, lines_b = _lines(codes[a], slices_a), _lines(codes[b], slices_b)
        first, last = max(lines_a, key=lambda lines: lines[1] - lines[0])
        passage = "\n".join(codes[a].splitlines()[first - 1:last])
        yield SimilarPair(exercise.id, a, b, float(share_a), float(share_b), int(shared), lines_a, lines_b,
                          passage[:PASSAGE_CHARS])


def _lines(code: str, slices) -> list[tuple[int, int]]:
    return [(code.count("\n", 0, int(start)) + 1, code.count("\n", 0, max(int(start), int(end) - 1)) + 1)
            for start, end in zip(slices[0], slices[1])]


def _format_lines(lines: list[tuple[int, int]]) -> str:
    return "; ".join(f"{first}-{last}" if last != first else str(first) for first, last in lines)


def _parse_lines(text: str) -> list[tuple[int, int]]:
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        first, _dash, last = part.partition("-")
        ranges.append((int(first), int(last or first)))
    return ranges


def write_csv(report: SimilarityReport, path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for p in report.pairs:
            writer.writerow([p.exercise, p.student_a, p.student_b, f"{p.similarity:.3f}", f"{p.similarity_a:.3f}",
                             f"{p.similarity_b:.3f}", p.shared_tokens, _format_lines(p.lines_a),
                             _format_lines(p.lines_b), p.longest_passage])


def read_csv(path: str | Path) -> list[SimilarPair]:
    """The pairs of a ``similarity.csv`` written by :func:`write_csv` (for the class report)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return [SimilarPair(row["exercise"], row["student_a"], row["student_b"], float(row["similarity_a"]),
                                float(row["similarity_b"]), int(row["shared_tokens"]), _parse_lines(row["lines_a"]),
                                _parse_lines(row["lines_b"]), row["longest_shared_passage"])
                    for row in csv.DictReader(f)]
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise SubmissionError(_("{path}: not a similarity CSV written by `convgrade similarity` ({problem})")
                              .format(path=path, problem=exc)) from None
