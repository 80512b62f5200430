"""Messages in the student's language via standard gettext catalogs (grader/locale/<lang>/LC_MESSAGES).

English text is the message id; ``_("...")`` returns it translated into the active language. Checks
build their messages at run time, after the grader has called ``set_language``.
"""
from __future__ import annotations

import gettext
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
