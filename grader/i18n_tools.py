"""Keep the gettext catalogs in step with the source (maintainers only; needs babel, the ``dev`` extra).

    python -m grader.i18n_tools update    # every _("...") in grader/ -> convgrade.pot -> each <lang>.po
    python -m grader.i18n_tools compile   # .po -> .mo, the file the grader loads at run time
    python -m grader.i18n_tools check     # what still lacks a translation (tests/test_i18n.py enforces it)

New messages arrive untranslated; a message whose English changed keeps its old translation marked
fuzzy, which counts as missing until a translator reviews it and removes the flag.
"""
from __future__ import annotations

import io
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from grader.i18n import DOMAIN, LOCALE_DIR

SOURCE_DIR = LOCALE_DIR.parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATOR_TAG = "TRANSLATORS:"  # a comment starting with this, just above a _() call, reaches the .po
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translated_languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def extract() -> Catalog:
    """Every ``_("literal")`` message in the grader's source, with the files it comes from."""
    catalog = Catalog(project="convgrade", domain=DOMAIN, charset="utf-8", fuzzy=False,
                      header_comment="# Messages of convgrade, extracted by `python -m grader.i18n_tools update`.")
    for filename, lineno, message, comments, context in extract_from_dir(
            SOURCE_DIR, keywords=KEYWORDS, comment_tags=[TRANSLATOR_TAG], strip_comment_tags=True):
        catalog.add(message, locations=[(f"grader/{filename}", lineno)], auto_comments=comments, context=context)
    for message in extract_files([SOURCE_DIR / "templates" / "check.py.tmpl"]):  # what `convgrade new` writes
        if message.id:
            catalog.add(message.id, locations=[("grader/templates/check.py.tmpl", 0)])
    return catalog


def extract_files(paths: list[Path]) -> Catalog:
    """The ``_()`` and ``ngettext()`` messages of some files (a course's check files), as a template."""
    catalog = Catalog(domain=DOMAIN, charset="utf-8", fuzzy=False)
    for path in paths:
        for lineno, message, comments, context in extract_from_file("python", path, keywords=KEYWORDS):
            catalog.add(message, locations=[(str(path), lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _render(catalog: Catalog, *, omit_header: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=omit_header, ignore_obsolete=True, include_previous=True,
             include_lineno=False)
    return buffer.getvalue()


def _write_if_changed(path: Path, catalog: Catalog) -> bool:
    """Write ``catalog`` unless only its header (dates) would change, so git shows real changes only."""
    if path.exists() and _render(read_catalog(path), omit_header=True) == _render(catalog, omit_header=True):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_render(catalog))
    return True


def update() -> None:
    template = extract()
    _write_if_changed(TEMPLATE, template)
    for lang in translated_languages():
        catalog = read_catalog(po_path(lang))
        catalog.update(template, update_creation_date=False)
        if _write_if_changed(po_path(lang), catalog):
            print(f"{po_path(lang)}: updated")


def compile_catalogs() -> None:
    for lang in translated_languages():
        catalog = read_catalog(po_path(lang))
        with po_path(lang).with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)


def placeholders(text: str) -> list[str]:
    """The field names of a ``str.format`` template, sorted (``{{`` and ``}}`` are literal braces).

    Format specs may differ: Polish drops the ``,`` thousands separator, which reads as a decimal comma.
    """
    return sorted({name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None})


def _edges(text: str) -> tuple[str, str]:
    return text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """One line per message that ``lang`` cannot show properly: missing, empty, fuzzy, or broken fields."""
    template = template if template is not None else extract()
    path = po_path(lang)
    if not path.exists():
        return [f"{path}: missing; create it with `pybabel init -D {DOMAIN} -i {TEMPLATE} -d {LOCALE_DIR} -l {lang}`"]
    catalog = read_catalog(path)
    found = []
    for message in template:
        if not message.id:
            continue
        where = ", ".join(sorted({file for file, _line in message.locations}))
        translated = catalog.get(message.id, message.context)
        if translated is None:
            found.append(f"{path.name}: no entry for {message.id!r} ({where}): "
                         "run `python -m grader.i18n_tools update`")
        elif not all(_forms(translated.string)):
            found.append(f"{path.name}: {message.id!r} ({where}) is not translated")
        elif translated.fuzzy:
            found.append(f"{path.name}: {message.id!r} ({where}) is fuzzy: check the translation, then drop the flag")
        else:
            found += _form_problems(path, _forms(message.id)[-1], _forms(translated.string))
    return found


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's text as a tuple: one form, or each plural form of an ``ngettext`` message."""
    return text if isinstance(text, tuple) else (text,)


def _form_problems(path: Path, english: str, forms: tuple[str, ...]) -> list[str]:
    """Each translated form must keep the English fields and the spaces and line breaks at its edges."""
    found = []
    for form in forms:
        try:
            expected, got = placeholders(english), placeholders(form)
        except ValueError as exc:
            found.append(f"{path.name}: {form!r} is not a valid format string: {exc}")
            continue
        if expected != got:
            found.append(f"{path.name}: {form!r} has fields {got}, its English has {expected}")
        if _edges(english) != _edges(form):
            found.append(f"{path.name}: {form!r} must start and end with the same spaces and line breaks as "
                         f"{english!r}")
    return found


def main(argv: list[str]) -> int:
    commands = {"update": update, "compile": compile_catalogs}
    if argv == ["check"]:
        found = [line for lang in translated_languages() for line in problems(lang)]
        print("\n".join(found) or "every message is translated")
        return 1 if found else 0
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
