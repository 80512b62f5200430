"""Every message a student reads exists in Polish and English: the catalogues, the stubs, end to end."""
import ast
import io
import re
from pathlib import Path

import pytest

import grader
from grader import i18n, report
from grader.i18n import _

ROOT = Path(__file__).resolve().parents[1]
POLISH_LETTERS = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
POLISH = re.compile(rf"[{POLISH_LETTERS}]|\b(dla|jest|nie|oraz|albo|gdy|przez|jako|każdy|który|która|które)\b",
                    re.IGNORECASE)  # a Polish letter, or a common Polish word that English never uses


@pytest.fixture(autouse=True)
def keep_language():
    """grade() and set_language() switch this process's language; leave it as other tests expect."""
    with i18n.using_language(i18n.language()):
        yield


@pytest.fixture
def tools():
    """The catalogue tools; they need babel, which the `dev` extra installs."""
    pytest.importorskip("babel", reason="checking the catalogues needs babel: pip install -e '.[dev]'")
    from grader import i18n_tools

    return i18n_tools


def test_every_message_has_a_polish_translation(tools):
    problems = tools.problems("pl")
    assert not problems, ("messages without a proper Polish translation (run `python -m grader.i18n_tools update`, "
                          "translate in the .po, then `... compile`):\n" + "\n".join(problems))


def test_compiled_catalogue_matches_the_po_file(tools):
    from babel.messages.mofile import read_mo

    po = tools.read_catalog(tools.po_path("pl"))
    expected = {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string)
                if isinstance(m.string, (list, tuple)) else m.string for m in po if m.id and m.string and not m.fuzzy}
    with tools.po_path("pl").with_suffix(".mo").open("rb") as f:  # ngettext messages: tuples of forms
        compiled = {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string)
                    if isinstance(m.string, (list, tuple)) else m.string for m in read_mo(f) if m.id}
    assert compiled == expected, "convgrade.mo is stale: run `python -m grader.i18n_tools compile`"


def test_gettext_is_called_with_a_literal_only():
    """``_(f"...")`` or ``_(text)`` cannot be extracted, so it would never be translated."""
    wrong = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and not (len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
                             and isinstance(node.args[0].value, str))):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not wrong, "pass _() one string literal and .format() the result:\n" + "\n".join(wrong)


def test_placeholders_are_field_names(tools):
    assert tools.placeholders("{total} and {n:,} of {total!r} {{literal}}") == ["n", "total"]


def test_set_language_switches_messages():
    i18n.set_language("pl")
    assert _("exercise") == "ćwiczenie"
    i18n.set_language("en")
    assert _("exercise") == "exercise"


def test_solution_docstrings_have_a_polish_paragraph():
    """Stubs keep the solutions' docstrings, so each one a student reads must also say it in Polish."""
    english_only = []
    for path in sorted((ROOT / "solutions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in [tree, *ast.walk(tree)]:
            if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            doc = ast.get_docstring(node)
            if doc and not POLISH.search(doc):
                english_only.append(f"{path.relative_to(ROOT)}: {getattr(node, 'name', 'module docstring')}")
    assert not english_only, "add a Polish paragraph to these docstrings:\n" + "\n".join(english_only)


def test_check_messages_arrive_in_polish(tmp_path):
    """grade(lang="pl") passes the language to each exercise process, whose checks speak it."""
    source = (ROOT / "solutions" / "shapes.py").read_text(encoding="utf-8")
    padding_ignored = source.replace("(n + 2 * padding - ks) // stride + 1", "(n - ks) // stride + 1")
    assert padding_ignored != source
    (tmp_path / "shapes.py").write_text(padding_ignored, encoding="utf-8")
    result = grader.grade(tmp_path / "shapes.py", course=ROOT / "course.yaml", lang="pl")
    failed = [c for c in result.checks() if not c.passed]
    assert failed and all("oczekiwano" in c.message and "expected" not in c.message for c in failed), \
        [c.message for c in failed]
    stream = io.StringIO()
    report.write_text(result, stream, color=False)
    assert "Razem:" in stream.getvalue() and "ćwiczenie" in stream.getvalue()


def _untranslated_literals(path: Path, looks_like_text) -> list[str]:
    """String literals (and f-strings) in ``path`` that ``looks_like_text(text, printed)`` judges text for a
    reader (``printed``: the literal is an argument of a call that prints), outside ``_()`` and docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside_gettext, docstrings, printed = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (node.func.attr if isinstance(node.func, ast.Attribute)
                                           else getattr(node.func, "id", "")) in OUTPUT_CALLS:
            printed.update(id(arg) for arg in node.args)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
            inside_gettext.update(id(n) for arg in node.args for n in ast.walk(arg))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            docstrings.add(id(node.body[0].value))
    found = []
    for node in ast.walk(tree):
        if id(node) in inside_gettext or id(node) in docstrings:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            inside_gettext.update(id(v) for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if looks_like_text(text, id(node) in printed):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]!r}")
    return found


ENGLISH_ARGUMENT = re.compile(r"<[^<>]*[a-z]{3,}[^<>]*>")           # "<7x7 image>", "<tensor of shape {}>"
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}[ :,.]+[A-Za-z]{3,}")           # two words a reader would read
MARKUP = re.compile(r"\[/?[a-z ]*\]|</?[a-z]+[^>]*>|\{[^}]*\}|&\w+;")   # rich markup, HTML tags, fields


def test_checks_describe_arguments_in_the_readers_language():
    """A check's `call=` shows the arguments it made; their description ("<7x7 image>") is text, so `_()`."""
    found = [line for path in sorted((ROOT / "grader" / "checks").glob("*.py"))
             for line in _untranslated_literals(path, lambda text, printed: ENGLISH_ARGUMENT.search(text))]
    assert not found, "wrap these in _() (grader.testing.shown for '<image of shape ...>'):\n" + "\n".join(found)


USER_FACING = ["cli.py", "report.py", "html_report.py", "export.py", "batch.py", "plots.py"]
OUTPUT_CALLS = {"echo", "secho", "print", "write", "ClickException", "UsageError", "BadParameter"}
HTML_TEXT = re.compile(r">([^<>]*)<")  # the text between two tags of an HTML template


def test_reports_and_the_cli_show_no_untranslated_text():
    """What the terminal and HTML reports and the CLI print is text: every sentence of it goes through _()."""
    def for_a_reader(text, printed):
        if text.startswith("#!"):  # a script the exports write (setup.sh), not prose for a reader
            return False
        html_text = " ".join(HTML_TEXT.findall(re.sub(r"\{[^}]*\}", " ", text)))
        return bool(ENGLISH_WORDS.search(html_text)) or (printed and bool(ENGLISH_WORDS.search(MARKUP.sub(" ", text))))

    found = [line for name in USER_FACING for line in _untranslated_literals(ROOT / "grader" / name, for_a_reader)]
    assert not found, "user-facing text outside _():\n" + "\n".join(found)


def test_the_untranslated_text_scan_finds_text(tmp_path):
    sample = ROOT / "grader" / "checks" / "_scan_sample.py"
    try:
        sample.write_text('call = f"f(<{h}x{w} image>)"\nok = _("<image of shape {shape}>")\n', encoding="utf-8")
        assert [line.split(": ", 1)[1] for line in
                _untranslated_literals(sample, lambda text, printed: ENGLISH_ARGUMENT.search(text))] == \
            ["'f(<{}x{} image>)'"]
    finally:
        sample.unlink()


CODE = re.compile(r"``[^`]+``|^ {4,}\S.*$|\b\w+\([^()]*\)", re.MULTILINE)  # spans, literal blocks, f(a, b)
NUMBER = {"en": re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d])|(?<![\w.,])\d+(?:\.\d+)?(?:x\d+)*(?![\w])"),
          "pl": re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0]\d{3})+(?![\d])|(?<![\w.,])\d+(?:[.,]\d+)?(?:x\d+)*(?![\w])")}


def _english_and_polish(doc: str) -> tuple[str, str]:
    """A bilingual docstring: the English paragraphs, then (from the first Polish one on) the Polish ones."""
    paragraphs = doc.split("\n\n")
    first = next((i for i, p in enumerate(paragraphs) if POLISH.search(p)), len(paragraphs))
    return "\n\n".join(paragraphs[:first]), "\n\n".join(paragraphs[first:])


def _facts(text: str, lang: str) -> set[str]:
    """The code and numbers a text states, numbers in one notation (English 30,282 and 0.85 are Polish
    30 282 and 0,85)."""
    code = [re.sub(r"\s+", " ", re.sub(r"\s+#.*$", "", c).strip()) for c in CODE.findall(text)]  # no comments
    plain = CODE.sub(" ", text)
    if lang == "en":
        numbers = [n.replace(",", "") for n in NUMBER["en"].findall(plain)]
    else:
        numbers = [re.sub(r"[ \u00a0]", "", n).replace(",", ".") for n in NUMBER["pl"].findall(plain)]
    return set(code) | set(numbers)


def test_polish_docstrings_carry_the_english_content():
    """The Polish paragraph of a solution's docstring (which the stub keeps) is not a summary: every piece of
    code and every number of the English text (worked examples, textbook cases) appears in it too."""
    short = []
    for path in sorted((ROOT / "solutions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if doc:
                    english, polish = _english_and_polish(doc)
                    missing = sorted(_facts(english, "en") - _facts(polish, "pl"))
                    if missing:
                        short.append(f"{path.name}: {getattr(node, 'name', 'module')}: {', '.join(missing)}")
    assert not short, "the Polish paragraph leaves out what the English one says:\n" + "\n".join(short)


def test_grouped_numbers_follow_the_language():
    with i18n.using_language("pl"):
        assert _("{what} holds {params:,} numbers (parameters, buffers and other tensors), over the budget of "
                 "{limit:,}.").format(what="model", params=130_282, limit=100_000).count("\u00a0") == 2
    with i18n.using_language("en"):
        assert "{n:,} and {x:.2f}".format(n=1234, x=0.5) == _("{n:,} and {x:.2f}").format(n=1234, x=0.5)
