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
