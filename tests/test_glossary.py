"""One Polish vocabulary: no rejected synonym of a glossary term in anything a student reads in Polish."""
import ast
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = yaml.safe_load((ROOT / "grader" / "locale" / "glossary.yaml").read_text(encoding="utf-8"))


def _rejected() -> list[tuple[re.Pattern, dict]]:
    return [(re.compile(rf"\b{pattern}\b", re.IGNORECASE), entry) for entry in GLOSSARY for pattern in entry["rejected"]]


def _polish_texts():
    """(where, text) for every translation, every docstring of solutions/ and exercises/, every notebook cell."""
    from babel.messages.pofile import read_po

    with (ROOT / "grader" / "locale" / "pl" / "LC_MESSAGES" / "convgrade.po").open("rb") as f:
        for message in read_po(f):
            if message.id and message.string:
                yield f"convgrade.po: {str(message.id)[:60]!r}", str(message.string)
    for path in sorted([*(ROOT / "solutions").glob("*.py"), *(ROOT / "exercises").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in [tree, *ast.walk(tree)]:
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield f"{path.relative_to(ROOT)}: {getattr(node, 'name', 'module')}", doc
    for path in sorted((ROOT / "exercises" / "notebooks").glob("*.ipynb")):
        for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], start=1):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            yield f"{path.relative_to(ROOT)}: cell {number}", source


def test_the_glossary_names_a_term_and_its_rejected_synonyms():
    for entry in GLOSSARY:
        assert entry["en"] and entry["pl"] and entry["rejected"], entry
        for pattern, _entry in _rejected():
            assert not pattern.fullmatch(entry["pl"]), f"{entry['pl']!r} is both preferred and rejected"


def test_no_rejected_synonym_in_polish_texts():
    pytest.importorskip("babel")
    found = []
    for where, text in _polish_texts():
        for pattern, entry in _rejected():
            for match in pattern.finditer(text):
                found.append(f"{where}: {match.group(0)!r} -> use {entry['pl']!r} ({entry['en']})")
    assert not found, "Polish texts use rejected words (grader/locale/glossary.yaml):\n" + "\n".join(found)


def test_a_rejected_synonym_is_found():
    """The scan itself works: a sentence with a rejected word is caught, its preferred form is not."""
    patterns = _rejected()
    assert any(p.search("Statystyki bieżącej paczki") for p, _e in patterns)
    assert any(p.search("szybkość uczenia rośnie") for p, _e in patterns)
    assert not any(p.search("Statystyki bieżącego wsadu i współczynnik uczenia; hook na warstwie") for p, _e in patterns)
