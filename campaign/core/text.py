"""Text as the template language's filters write it, for rows that are written in Python."""

from __future__ import annotations

import unicodedata

from django.utils.text import Truncator


def truncate_chars(text: str, length: int) -> str:
    """``truncatechars``: Django's Truncator (which also NFC-normalises), without its loop over the
    characters of a text too short to be cut."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)
