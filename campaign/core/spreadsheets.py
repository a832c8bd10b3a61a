"""Spreadsheet exports: one rule for text a spreadsheet program would run as a formula.

Every export (responsibility list, findings, meeting-pack tables) writes cells
through :func:`safe_cell`, so user text starting with = + - @ (or a tab or
carriage return) is stored with a leading quote and shown, never evaluated
(OWASP "CSV injection"). The responsibility-list importer removes that quote
again, so an export re-imports to the same text.
"""

#: A cell starting with one of these is a formula to Excel, LibreOffice or WPS.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged, unless it is text a spreadsheet would evaluate: then quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """The inverse of :func:`safe_cell` for imported text."""
    if text.startswith("'") and text[1:2] and text[1] in "".join(FORMULA_STARTS):
        return text[1:]
    return text
