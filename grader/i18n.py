"""Messages in the student's language via standard gettext catalogs (grader/locale/<lang>/LC_MESSAGES).

English text is the message id; ``_("...")`` returns it translated into the active language. Checks
build their messages at run time, after the grader has called ``set_language``. Its ``.format()`` writes
grouped numbers (``{n:,}``) as the language does: 30,282 in English, 30 282 in Polish (where 30,282
would read as a decimal fraction).
"""
from __future__ import annotations

import gettext
import string
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


THOUSANDS = {"pl": "\u00a0"}  # the separator a language groups digits with, where it is not ","


class _Formatter(string.Formatter):
    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        separator = THOUSANDS.get(_language)
        return text.replace(",", separator) if separator and "," in format_spec else text


class Message(str):
    """A translated message; ``.format`` groups digits the way the active language does."""

    def format(self, *args, **kwargs) -> str:
        return _Formatter().vformat(str(self), args, kwargs)


def _(message: str) -> str:
    return Message(_active.gettext(message))


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
