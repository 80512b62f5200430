"""Messages in the student's language via standard gettext catalogs (grader/locale/<lang>/LC_MESSAGES).

English text is the message id; ``_("...")`` returns it translated into the active language. Checks
build their messages at run time, after the grader has called ``set_language``.
"""
from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "convgrade"
LOCALE_DIR = Path(__file__).with_name("locale")
_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(lang: str) -> None:
    global _active, _language
    _language = lang
    _active = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _active.gettext(message)


@contextmanager
def using_language(lang: str) -> Iterator[None]:
    """Messages in ``lang`` inside the block (e.g. re-rendering a saved result), the previous language after."""
    previous = _language
    set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` for ``n``, translated with the language's plural forms (Polish has three)."""
    return _active.ngettext(singular, plural, n)
