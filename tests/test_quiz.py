"""The quiz exercise kind: the quiz file is checked, forms are shuffled per seed, the key scores full marks in
both languages, the blank form zero, every wrong option explains itself, and hidden questions stay hidden."""
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import grader
from grader import i18n, quiz
from grader.assign import personal_forms, quiz_files, write_distribution
from grader.cli import main
from grader.export import gradescope_bundle

ROOT = Path(__file__).resolve().parents[1]
QUIZ_FILE = ROOT / "quizzes" / "chapter13.yaml"


@pytest.fixture(autouse=True)
def keep_language():
    before = i18n.language()
    yield
    i18n.set_language(before)


@pytest.fixture(scope="module")
def chapter13():
    return quiz.load_quiz(QUIZ_FILE)


def filled(quiz_obj, seed, answers):
    return quiz.form_source(quiz_obj, seed, "form", answers)


def test_the_quiz_covers_the_questions_code_cannot_answer(chapter13):
    assert {q.chapter for q in chapter13.questions} == {1, 9, 11, 12, 22, 26, 29, 32, 35, 37, 40}
    assert {q.kind for q in chapter13.questions} == set(quiz.KINDS)
    assert any(q.image for q in chapter13.questions) and any(q.hidden for q in chapter13.questions)


def test_every_wrong_option_says_why_in_both_languages(chapter13):
    for question in chapter13.questions:
        for option in question.options:
            assert option.correct or (option.why and option.why["pl"] != option.why["en"]), (question.id, option)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_key_scores_full_marks_and_the_blank_form_zero(course, tmp_path, lang):
    exercise = course.exercise("quiz")
    (tmp_path / "key").mkdir()
    (tmp_path / "key" / "quiz.py").write_text((ROOT / "solutions" / "quiz.py").read_text(encoding="utf-8"))
    key = grader.grade(tmp_path / "key", course=course, exercises=["quiz"], lang=lang).exercises[0]
    blank = grader.grade(ROOT / "exercises" / "quiz.py", course=course, lang=lang).exercises[0]
    assert key.score == key.max_score == exercise.points and len(key.checks) == len(quiz.load_quiz(exercise.quiz).questions)
    assert blank.score == 0 and not any(c.passed for c in blank.checks)
    assert all(c.details["quiz_seed"] == course.seed for c in key.checks)  # the seed is in the result


def test_options_are_shuffled_per_seed_and_graded_by_that_seed(chapter13):
    orders = {seed: [[o.number for _l, o in quiz.lettered(q, seed)] for q in chapter13.questions] for seed in range(6)}
    assert len({str(order) for order in orders.values()}) == 6  # different students, different letters
    assert quiz.lettered(chapter13.questions[0], 3) == quiz.lettered(chapter13.questions[0], 3)  # stable
    for seed in (0, 1, quiz.seed_for("s12345")):
        for question in chapter13.questions:
            assert quiz.mark(question, quiz.key(question, seed), seed).credit == 1.0
    moved = next(q for q in chapter13.questions if q.kind == "single" and quiz.key(q, 0) != quiz.key(q, 1))
    assert quiz.mark(moved, quiz.key(moved, 0), 1).credit == 0  # another student's letter is wrong here


def test_a_personal_form_is_seeded_by_the_student_id_and_its_key_scores_full(course, tmp_path):
    written = personal_forms(course, "s12345", tmp_path / "form")
    assert sorted(p.name for p in written) == ["quiz.ipynb", "quiz.py"]
    seed = quiz.seed_for("s12345")
    assert f"SEED = {seed}\n" in (tmp_path / "form" / "quiz.py").read_text(encoding="utf-8")
    questions = quiz.load_quiz(course.exercise("quiz").quiz)
    answers = {q.id: quiz.key(q, seed) for q in questions.questions}
    (tmp_path / "answered").mkdir()
    (tmp_path / "answered" / "quiz.py").write_text(filled(questions, seed, answers), encoding="utf-8")
    result = grader.grade(tmp_path / "answered", course=course, exercises=["quiz"], lang="en").exercises[0]
    assert result.score == result.max_score
    assert {c.details["quiz_seed"] for c in result.checks} == {seed}
    assert CliRunner().invoke(main, ["form", "s12345", "-o", str(tmp_path / "cli")]).exit_code == 0
    assert (tmp_path / "cli" / "quiz.py").read_text() == (tmp_path / "form" / "quiz.py").read_text()


def test_wrong_answers_are_explained_in_the_students_language(chapter13):
    question = chapter13.question("q01")
    wrong_letter, wrong = next((letter, o) for letter, o in quiz.lettered(question, 0) if not o.correct)
    for lang in ("pl", "en"):
        i18n.set_language(lang)
        verdict = quiz.mark(question, wrong_letter.upper() + ")", 0)  # "B)" is read as "b"
        assert verdict.credit == 0 and wrong.why[lang] in verdict.message
    numeric = chapter13.question("q29_steps")
    assert "62" in quiz.mark(numeric, 62, 0).message and quiz.mark(numeric, 63.0, 0).credit == 1.0
    assert quiz.mark(numeric, "63", 0).credit == 0  # a string is not a number
    assert quiz.mark(numeric, True, 0).credit == 0


def test_multiple_choice_gives_partial_credit_and_names_what_is_missing(chapter13):
    i18n.set_language("en")
    question = chapter13.question("q29")  # three correct options, two wrong ones
    right = quiz.key(question, 0)
    wrong = next(letter for letter, o in quiz.lettered(question, 0) if not o.correct)
    assert quiz.mark(question, right[:2], 0).credit == pytest.approx(2 / 3)
    assert "1 correct option" in quiz.mark(question, right[:2], 0).message
    assert quiz.mark(question, [*right[:2], wrong], 0).credit == pytest.approx(1 / 3)
    assert quiz.mark(question, [wrong], 0).credit == 0
    assert quiz.mark(question, ["a", 1], 0).credit == 0  # not all letters


def test_answers_that_are_not_plain_data_score_zero(course, tmp_path):
    (tmp_path / "quiz.py").write_text("SEED = 0\nclass Sneaky(dict):\n    def __eq__(self, other):\n"
                                      "        return True\nANSWERS = Sneaky()\n")
    result = grader.grade(tmp_path / "quiz.py", course=course, lang="en").exercises[0]
    assert result.score == 0 and not any(c.passed for c in result.checks)  # it crosses as a plain (empty) dict


def test_the_notebook_form_shows_the_picture_and_grades_like_the_module(course, tmp_path):
    import nbformat
    exercise = course.exercise("quiz")
    notebook = nbformat.read(ROOT / "exercises" / "notebooks" / "quiz.ipynb", as_version=4)
    pictures = [cell for cell in notebook.cells if cell.get("attachments")]
    assert len(pictures) == 1 and "chapter13_color_dim.png" in pictures[0].attachments
    seed = course.seed
    for cell in notebook.cells:
        match = re.fullmatch(r'ANSWERS\["(\w+)"\] = None', cell.source) if cell.cell_type == "code" else None
        if match:
            question = quiz.load_quiz(exercise.quiz).question(match.group(1))
            cell.source = f'ANSWERS["{question.id}"] = {quiz.key(question, seed)!r}'
    nbformat.write(notebook, tmp_path / "quiz.ipynb")
    result = grader.grade(tmp_path / "quiz.ipynb", course=course, lang="en").exercises[0]
    assert result.score == result.max_score


def test_hidden_questions_and_the_key_stay_out_of_the_distribution(course, tmp_path):
    shipped = write_distribution(course, tmp_path / "dist")
    public = quiz.load_quiz(tmp_path / "dist" / "quizzes" / "chapter13.yaml")
    hidden = [q for q in quiz.load_quiz(QUIZ_FILE).questions if q.hidden]
    assert hidden and not {q.id for q in hidden} & {q.id for q in public.questions}
    assert not (tmp_path / "dist" / "solutions").exists()
    assert shipped.exercise("quiz").hidden_count == len(hidden)
    assert (tmp_path / "dist" / "quizzes" / "chapter13_color_dim.png").is_file()
    graded = grader.grade(tmp_path / "dist" / "exercises", course=shipped, exercises=["quiz"], lang="en",
                          include_hidden=False).exercises[0]
    assert len(graded.checks) == len(public.questions) == len(quiz.load_quiz(QUIZ_FILE).questions) - len(hidden)
    assert graded.hidden_not_run == len(hidden)


def test_forms_differ_only_in_the_seed_they_were_made_for(course):
    exercise = course.exercise("quiz")
    one, two = (quiz_files(course, exercise, seed, with_key=False) for seed in (0, 1))
    assert set(one) == set(two) and one != two


def write_quiz(tmp_path, change):
    raw = yaml.safe_load(QUIZ_FILE.read_text(encoding="utf-8"))
    raw["questions"] = raw["questions"][:3]
    raw["questions"][0].pop("image", None)
    change(raw["questions"][0])
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, words", [
    (lambda q: q["options"][1].pop("why"), ["q01", "options[2].why", "misconception"]),
    (lambda q: q["options"][1].update(correct=True), ["q01", "exactly one"]),
    (lambda q: q["text"].pop("en"), ["q01", "'text'", "both languages"]),
    (lambda q: q.update(kind="essay"), ["q01", "'kind'", "single, multiple, numeric"]),
    (lambda q: q.update(colour="red"), ["q01", "'colour'", "unknown key"]),
    (lambda q: q.update(image="missing.png"), ["q01", "'image'", "not a file"]),
    (lambda q: q.update(id="q09"), ["q09", "duplicate"]),
    (lambda q: q.update(answer=3), ["q01", "'answer'", "only numeric"]),
])
def test_a_mistake_in_the_quiz_file_is_one_line_naming_question_and_field(tmp_path, change, words):
    path = write_quiz(tmp_path, change)
    with pytest.raises(quiz.QuizError) as error:
        quiz.load_quiz(path)
    message = str(error.value)
    assert str(path) in message and "\n" not in message and all(w in message for w in words), message


def test_the_quiz_file_is_read_with_the_safe_loader(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("title: !!python/object/apply:os.system ['echo hi']\nquestions: []\n")
    with pytest.raises(quiz.QuizError, match="invalid YAML"):
        quiz.load_quiz(path)


def test_a_hidden_question_is_a_hidden_check(course):
    questions = quiz.load_quiz(QUIZ_FILE).questions
    student_run = grader.grade(ROOT / "exercises" / "quiz.py", course=course, lang="en", include_hidden=False)
    names = {c.name for c in student_run.exercises[0].checks}
    assert names == {f"quiz::question[{q.id}]" for q in questions if not q.hidden}
    final = grader.grade(ROOT / "exercises" / "quiz.py", course=course, lang="en").exercises[0]
    assert {c.name for c in final.checks if c.hidden} == {f"quiz::question[{q.id}]" for q in questions if q.hidden}


def test_a_missing_quiz_file_is_one_line_naming_exercise_and_field(course_copy):
    manifest = course_copy.read_text(encoding="utf-8")
    assert "quiz: quizzes/chapter13.yaml" in manifest
    course_copy.write_text(manifest.replace("quiz: quizzes/chapter13.yaml", "quiz: quizzes/missing.yaml"))
    with pytest.raises(grader.CourseError) as error:
        grader.load_course(course_copy)
    assert all(w in str(error.value) for w in ("exercise 'quiz'", "field 'quiz'", "missing.yaml", "does not exist"))


def test_the_gradescope_bundle_carries_the_whole_quiz(course, tmp_path):
    names = gradescope_bundle(course, tmp_path / "autograder.zip")
    assert {"quizzes/chapter13.yaml", "quizzes/chapter13_color_dim.png", "grader/checks/quiz.py"} <= set(names)
