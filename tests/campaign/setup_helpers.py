"""Shared by the set-up page tests."""

import html


def text(response) -> str:
    return html.unescape(response.content.decode())
