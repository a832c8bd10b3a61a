"""Form helpers every app uses: one way to show a service's ValidationError on the form that sent its input,
and a ``<select>`` cheap enough for long lists."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def add_service_errors(form, exc: ValidationError) -> None:
    """Each message on its field when the form has that field, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PlainSelect(forms.Select):
    """Django's single-choice ``<select>``, the same markup, with its options written in Python.

    ``Select`` builds a dict of attributes and a template pass for every option: nothing for a dozen, most of
    the page for every site of a city. Validation is the field's, untouched: this only writes the choices.
    Everything put in is escaped as the template's autoescaping did (what is already safe is left as it is).
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        found = False
        out = [f'<select name="{_text(name)}"{_flat_attrs(self.build_attrs(self.attrs, attrs))}>']
        for group_value, group_label in self.choices:
            if isinstance(group_label, list | tuple):
                group, options = group_value, group_label
            else:
                group, options = None, [("" if group_value is None else group_value, group_label)]
            if group:
                out.append(f'\n  <optgroup label="{_text(group)}">')
            for option_value, label in options:
                selected = not found and str(option_value) in chosen
                found |= selected
                out.append(f'\n  <option value="{_text(option_value)}"{" selected" if selected else ""}>'
                           f"{_text(label)}</option>")
            if group:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 (escaped as it is written)


class ChoicesOnce(BaseChoiceIterator):
    """Choices made by ``make()`` when first read, then kept.

    A form that is only validated never reads them (a ``ModelChoiceField`` validates against its queryset), and
    Django leaves an iterator as it is where it walks a list of choices item by item when they are assigned.
    """

    def __init__(self, make: Callable[[], Iterable[tuple]]):
        self.make, self.made = make, None

    def __iter__(self):
        if self.made is None:
            self.made = list(self.make())
        return iter(self.made)


def _text(value) -> str:
    """``conditional_escape``, without its cost for the plain strings long lists are made of."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def _flat_attrs(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: False left out, True bare."""
    return "".join("" if value is False else f" {_text(name)}" if value is True
                   else f' {_text(name)}="{_text(value)}"' for name, value in attrs.items())
