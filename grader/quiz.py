"""Quiz exercises: questions that code cannot answer, written once in YAML, graded like any check.

A quiz file (``quizzes/*.yaml``, named by the exercise's ``quiz:`` key in course.yaml) holds questions in
Polish and English: ``single`` (one option), ``multiple`` (every correct option) and ``numeric`` (a
number within a tolerance). Every wrong option, and every typical wrong number, carries the
misconception it stands for, which is what a student reads when they choose it. From that file come:

* the student's form (``exercises/quiz.py`` and its notebook): ``SEED`` and one ``ANSWERS["q.."] = None``
  line per question, the options lettered in an order shuffled from ``SEED`` and the question id, so
  neighbours get different letters; a personal form takes its seed from the student's id;
* the answer key (``solutions/quiz.py``), the same form filled in, which ``validate`` grades;
* the grading: ``grader/checks/quiz.py`` runs one check per question, which reads ``ANSWERS`` and
  ``SEED`` as plain data (it never calls student code) and asks :func:`mark` for the verdict.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.course import LANGUAGES, CourseError
from grader.i18n import _, language

KINDS = ("single", "multiple", "numeric")
LETTERS = "abcdefghij"
MAX_QUIZ_BYTES = 1_000_000
WIDTH = 108
_QUIZ_KEYS = {"title", "intro", "questions"}
_QUESTION_KEYS = {"id", "chapter", "kind", "points", "text", "options", "answer", "tolerance", "mistakes", "hint",
                  "image", "hidden"}
_OPTION_KEYS = {"text", "correct", "why"}


class QuizError(CourseError):
    """A malformed quiz file (one line naming the file, the question and the field)."""


@dataclass(frozen=True)
class Option:
    number: int                    # position in the quiz file: the option's stable identity
    text: dict[str, str]
    correct: bool
    why: dict[str, str] | None     # the misconception behind a wrong option


@dataclass(frozen=True)
class Mistake:
    value: float
    why: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    chapter: int                   # the chapter's question number (Q1-Q40)
    kind: str
    points: float
    text: dict[str, str]
    options: tuple[Option, ...] = ()
    answer: float | None = None    # numeric questions
    tolerance: float = 0.0
    mistakes: tuple[Mistake, ...] = ()
    hint: dict[str, str] | None = None  # numeric: what to think about when the number is wrong
    image: Path | None = None
    hidden: bool = False


@dataclass(frozen=True)
class Quiz:
    path: Path
    title: dict[str, str]
    intro: dict[str, str]  # how to fill the form in, shown at its top
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def files(self) -> list[Path]:
        """The quiz file and the pictures its questions show: what grading needs beside the check file."""
        return [self.path.resolve(), *sorted({q.image for q in self.questions if q.image is not None})]


# ------------------------------------------------------------------------------------------ loading
def load_quiz(path: str | Path) -> Quiz:
    """Read and validate a quiz file (YAML, SafeLoader); every mistake is one QuizError naming its place."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise QuizError(f"{path}: cannot read the quiz file ({exc.strerror or exc})") from None
    if len(raw_bytes) > MAX_QUIZ_BYTES:
        raise QuizError(f"{path}: larger than {MAX_QUIZ_BYTES} bytes; a quiz is a short text file")
    try:
        raw = yaml.load(raw_bytes.decode("utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise QuizError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QuizError(f"{path}: invalid YAML{f' at line {mark.line + 1}' if mark else ''}: "
                        f"{getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list) or not raw["questions"]:
        raise QuizError(f"{path}: the top level must be a mapping with 'title' and a non-empty list 'questions'")
    _unknown(raw, _QUIZ_KEYS, path, None)
    questions, seen = [], set()
    for index, entry in enumerate(raw["questions"]):
        question = _question(entry, index, path)
        if question.id in seen:
            raise QuizError(f"{path}: question '{question.id}': duplicate id; every question needs its own")
        seen.add(question.id)
        questions.append(question)
    return Quiz(path=path, title=_texts(raw.get("title"), path, None, "title"),
                intro=_texts(raw.get("intro"), path, None, "intro"), questions=tuple(questions))


def _where(path: Path, question: str | None, key: str | None = None) -> str:
    return f"{path}" + (f": question '{question}'" if question else "") + (f", field '{key}'" if key else "")


def _unknown(mapping: dict, allowed: set[str], path: Path, question: str | None, context: str = "") -> None:
    for key in mapping:
        if key not in allowed:
            raise QuizError(f"{_where(path, question, context + str(key))}: unknown key; allowed: "
                            f"{', '.join(sorted(allowed))}")


def _texts(value: Any, path: Path, question: str | None, key: str) -> dict[str, str]:
    """A {pl: ..., en: ...} mapping with both languages present and non-empty."""
    if not isinstance(value, dict) or set(value) != set(LANGUAGES) \
            or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise QuizError(f"{_where(path, question, key)}: must give the text in both languages, "
                        f"{{pl: ..., en: ...}}")
    return {lang: " ".join(value[lang].split()) for lang in LANGUAGES}


def _number(value: Any, path: Path, question: str, key: str, *, minimum: float = -math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < minimum:
        raise QuizError(f"{_where(path, question, key)}: must be a number{' >= 0' if minimum == 0 else ''}, "
                        f"got {value!r}")
    return float(value)


def _question(entry: Any, index: int, path: Path) -> Question:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].isidentifier():
        raise QuizError(f"{path}: question {index + 1} needs an 'id' that is a Python identifier, like q01")
    qid = entry["id"]
    _unknown(entry, _QUESTION_KEYS, path, qid)
    kind = entry.get("kind")
    if kind not in KINDS:
        raise QuizError(f"{_where(path, qid, 'kind')}: must be one of {', '.join(KINDS)}, got {kind!r}")
    chapter = entry.get("chapter")
    if not isinstance(chapter, int) or isinstance(chapter, bool) or not 1 <= chapter <= 40:
        raise QuizError(f"{_where(path, qid, 'chapter')}: must be the chapter's question number, 1-40")
    points = _number(entry.get("points", 1), path, qid, "points", minimum=0)
    if points == 0:
        raise QuizError(f"{_where(path, qid, 'points')}: must be positive")
    image = entry.get("image")
    if image is not None:
        if not isinstance(image, str) or not (path.parent / image).is_file():
            raise QuizError(f"{_where(path, qid, 'image')}: {image!r} is not a file next to the quiz file")
        image = (path.parent / image).resolve()
    common = dict(id=qid, chapter=chapter, kind=kind, points=points, text=_texts(entry.get("text"), path, qid, "text"),
                  image=image, hidden=entry.get("hidden", False) is True)
    if kind == "numeric":
        if "options" in entry:
            raise QuizError(f"{_where(path, qid, 'options')}: a numeric question has an 'answer', not options")
        mistakes = entry.get("mistakes") or []
        if not isinstance(mistakes, list) or not all(isinstance(m, dict) and set(m) == {"value", "why"}
                                                     for m in mistakes):
            raise QuizError(f"{_where(path, qid, 'mistakes')}: must be a list of {{value: ..., why: {{pl, en}}}}")
        return Question(**common, answer=_number(entry.get("answer"), path, qid, "answer"),
                        tolerance=_number(entry.get("tolerance", 0), path, qid, "tolerance", minimum=0),
                        mistakes=tuple(Mistake(_number(m["value"], path, qid, "mistakes.value"),
                                               _texts(m["why"], path, qid, "mistakes.why")) for m in mistakes),
                        hint=_texts(entry.get("hint"), path, qid, "hint"))
    for key in ("answer", "tolerance", "mistakes", "hint"):
        if key in entry:
            raise QuizError(f"{_where(path, qid, key)}: only numeric questions have it; mark options 'correct'")
    raw_options = entry.get("options")
    if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= len(LETTERS):
        raise QuizError(f"{_where(path, qid, 'options')}: must be a list of 2 to {len(LETTERS)} options")
    options = []
    for number, raw in enumerate(raw_options):
        if not isinstance(raw, dict):
            raise QuizError(f"{_where(path, qid, 'options')}: option {number + 1} must be a mapping")
        _unknown(raw, _OPTION_KEYS, path, qid, f"options[{number + 1}].")
        correct = raw.get("correct", False) is True
        if not correct and "why" not in raw:
            raise QuizError(f"{_where(path, qid, f'options[{number + 1}].why')}: a wrong option must say which "
                            f"misconception it stands for")
        options.append(Option(number=number, text=_texts(raw.get("text"), path, qid, f"options[{number + 1}].text"),
                              correct=correct,
                              why=_texts(raw["why"], path, qid, f"options[{number + 1}].why") if "why" in raw else None))
    right = sum(o.correct for o in options)
    if (kind == "single" and right != 1) or (kind == "multiple" and right < 1):
        raise QuizError(f"{_where(path, qid, 'options')}: a {kind} question needs "
                        f"{'exactly one' if kind == 'single' else 'at least one'} option with 'correct: true'")
    return Question(**common, options=tuple(options))


# ----------------------------------------------------------------------------------- order and forms
def seed_for(student_id: str) -> int:
    """A stable seed from a student's id (the same id always gives the same order of options)."""
    return int(hashlib.sha256(student_id.strip().encode("utf-8")).hexdigest()[:8], 16)


def lettered(question: Question, seed: int) -> list[tuple[str, Option]]:
    """The question's options in this seed's order, each with its letter."""
    options = list(question.options)
    random.Random(f"{seed}:{question.id}").shuffle(options)
    return list(zip(LETTERS, options))


def key(question: Question, seed: int) -> Any:
    """The correct answer as the form expects it for this seed: a letter, a list of letters or a number."""
    if question.kind == "numeric":
        answer = question.answer
        return int(answer) if answer == int(answer) else answer
    letters = [letter for letter, option in lettered(question, seed) if option.correct]
    return letters[0] if question.kind == "single" else letters


def _how_to_answer(question: Question) -> str:
    return {"single": _("one letter, e.g. \"a\""),
            "multiple": _("a list of every correct letter, e.g. [\"a\", \"c\"]"),
            "numeric": _("a number")}[question.kind]


def _heading(question: Question) -> str:
    return _("Question {chapter} of the chapter, {points:g} pt").format(chapter=question.chapter,
                                                                          points=question.points)


def _comment(text: str, indent: str = "# ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "   ") or [indent.rstrip()]


def _question_comment(question: Question, seed: int, root: Path | None = None) -> list[str]:
    """The question as comment lines: heading, Polish then English text, lettered options, image path."""
    lines = [f"# --- {question.id}: {_heading(question)}; {_how_to_answer(question)}"]
    lines += _comment("PL: " + question.text["pl"]) + _comment("EN: " + question.text["en"])
    if question.image is not None:
        shown = (question.image.relative_to(root).as_posix() if root and question.image.is_relative_to(root)
                 else question.image.name)
        lines += _comment(_("Picture: {path} (the notebook shows it)").format(path=shown))
    for letter, option in lettered(question, seed):
        lines += _comment(f"{letter}) {option.text['pl']} / {option.text['en']}", "#   ")
    return lines


def intro(quiz: Quiz) -> str:
    """The form's opening text: the title and the instructions, Polish first, then English."""
    paragraphs = [f"{quiz.title['pl']} / {quiz.title['en']}", quiz.intro["pl"], quiz.intro["en"]]
    return "\n\n".join(textwrap.fill(p, WIDTH) for p in paragraphs)


def _value(value: Any) -> str:
    return "None" if value is None else json.dumps(value, ensure_ascii=False)


def form_source(quiz: Quiz, seed: int, intro: str, answers: dict[str, Any] | None = None,
                root: Path | None = None) -> str:
    """The student's form as a module: ``intro`` as its docstring, ``SEED``, then one commented
    ``ANSWERS[...]`` line per question (None everywhere unless ``answers`` fills them in)."""
    answers = answers or {}
    parts = [f'"""{intro}\n"""', f"SEED = {seed}\nANSWERS = {{}}"]
    for question in quiz.questions:
        parts.append("\n".join(_question_comment(question, seed, root)
                               + [f'ANSWERS["{question.id}"] = {_value(answers.get(question.id))}']))
    return "\n\n".join(parts) + "\n"


def key_source(quiz: Quiz, seed: int, intro: str, root: Path | None = None) -> str:
    """The answer key: the form for ``seed`` with every correct answer filled in."""
    return form_source(quiz, seed, intro, {q.id: key(q, seed) for q in quiz.questions}, root)


def form_notebook(quiz: Quiz, seed: int, intro: str, checks_code: str, metadata: dict) -> str:
    """The form as a notebook: the intro, then per question a markdown cell (text, options, picture
    attached) and a code cell with its ``ANSWERS`` line, then the checks cell; deterministic."""
    import nbformat
    from nbformat import v4

    from grader.notebooks import CHECKS_CELL, KERNELSPEC

    heading, _blank, instructions = intro.partition("\n\n")
    cells = [v4.new_markdown_cell(f"# {heading}\n\n{instructions}", id="exercise-text"),
             v4.new_code_cell(f"SEED = {seed}\nANSWERS = {{}}", id="code-seed")]
    for question in quiz.questions:
        text = [f"### {question.id}: {_heading(question)}", "", f"**PL:** {question.text['pl']}", "",
                f"**EN:** {question.text['en']}", ""]
        attachments = None
        if question.image is not None:
            attachments = {question.image.name: {"image/png": base64.b64encode(question.image.read_bytes()).decode()}}
            text += [f"![{question.image.stem}](attachment:{question.image.name})", ""]
        text += [f"- **{letter})** {option.text['pl']} / *{option.text['en']}*"
                 for letter, option in lettered(question, seed)]
        text += ["", f"*{_how_to_answer(question)}*"]
        cell = v4.new_markdown_cell("\n".join(text).rstrip(), id=f"text-{question.id}")
        if attachments:
            cell["attachments"] = attachments
        cells += [cell, v4.new_code_cell(f'ANSWERS["{question.id}"] = None', id=f"answer-{question.id}")]
    cells.append(v4.new_code_cell(checks_code, id=CHECKS_CELL,
                                  metadata={"tags": [CHECKS_CELL], "editable": False, "deletable": False}))
    notebook = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"},
                                                       "convgrade": metadata})
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def public_text(quiz: Quiz) -> tuple[str, list[float]]:
    """The quiz file for the student distribution: hidden questions (and their keys) left out; their points
    (the weights of the hidden checks they become, so public questions keep their points)."""
    raw = yaml.safe_load(quiz.path.read_text(encoding="utf-8"))
    hidden = {q.id for q in quiz.questions if q.hidden}
    raw["questions"] = [entry for entry in raw["questions"] if entry["id"] not in hidden]
    header = "# Student distribution, written by `convgrade assign --dist`; hidden questions are left out.\n"
    return header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=110), \
        [float(q.points) for q in quiz.questions if q.hidden]


# -------------------------------------------------------------------------------------------- marking
@dataclass(frozen=True)
class Verdict:
    credit: float   # 0..1
    message: str
    answered: bool = True  # False: still None, which reports show like an unimplemented function


def _in_language(texts: dict[str, str]) -> str:
    return texts.get(language()) or texts["en"]


def _letters(answer: Any) -> list[str] | None:
    """A letter or a list of letters, as lower-case strings without ')' ('B)' -> 'b'); None if not that."""
    items = [answer] if type(answer) is str else list(answer) if type(answer) in (list, tuple, set) else None
    if items is None or not all(type(item) is str for item in items):
        return None
    return sorted({re.sub(r"[\s)]", "", item).lower() for item in items} - {""})


def mark(question: Question, answer: Any, seed: int) -> Verdict:
    """The verdict on one answer (plain data from the form) for the form's ``seed``."""
    where = f'ANSWERS["{question.id}"]'
    if answer is None:
        return Verdict(0.0, _("{where}: not answered yet ({how}).").format(where=where, how=_how_to_answer(question)),
                       answered=False)
    if question.kind == "numeric":
        return _mark_number(question, answer, where)
    letters = _letters(answer)
    options = dict(lettered(question, seed))
    if letters is None or not letters or any(letter not in options for letter in letters):
        return Verdict(0.0, _("{where} is {got}, expected {how} among {letters}.").format(
            where=where, got=repr(answer)[:60], how=_how_to_answer(question), letters=", ".join(options)))
    if question.kind == "single" and len(letters) > 1:
        return Verdict(0.0, _("{where}: choose one option, not {n}.").format(where=where, n=len(letters)))
    wrong = [(letter, options[letter]) for letter in letters if not options[letter].correct]
    right = sum(options[letter].correct for letter in letters)
    needed = sum(option.correct for option in options.values())
    explanations = [f"{letter}) {_in_language(option.why)}" for letter, option in wrong]
    if not wrong and right == needed:
        return Verdict(1.0, "")
    if question.kind == "single":
        return Verdict(0.0, _("{where}: {details}").format(where=where, details=explanations[0]))
    credit = max(0.0, (right - len(wrong)) / needed)
    parts = explanations + ([_("{n} correct option(s) not chosen.").format(n=needed - right)] if right < needed else [])
    if credit == 0:
        return Verdict(0.0, _("{where}: {details}").format(where=where, details=" ".join(parts)))
    return Verdict(credit, _("{where}: {credit:.0%} of the points. {details}").format(
        where=where, credit=credit, details=" ".join(parts)))


def _mark_number(question: Question, answer: Any, where: str) -> Verdict:
    if type(answer) not in (int, float) or not math.isfinite(answer):
        return Verdict(0.0, _("{where} is {got}, expected a number.").format(where=where, got=repr(answer)[:60]))
    if abs(answer - question.answer) <= question.tolerance:
        return Verdict(1.0, "")
    known = next((m for m in question.mistakes if abs(answer - m.value) <= question.tolerance), None)
    why = _in_language(known.why if known else question.hint)
    return Verdict(0.0, _("{where}: {got:g} is not right. {why}").format(where=where, got=answer, why=why))
