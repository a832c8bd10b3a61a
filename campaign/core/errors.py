"""The exceptions services raise that are not plain ``ValidationError`` or ``PermissionDenied``.

Pages and the API give each one meaning, the same everywhere: a stale edit is 409 Conflict with the
object as it is now, and a write that names no version is 428 Precondition Required.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """The object changed since the caller read it, and nothing was saved.

    ``current`` is the object as it is now (re-read under the service's lock), so the answer can show it.
    """

    def __init__(self, current=None, message=None):
        self.current = current
        super().__init__(message or _("Someone else changed this after you opened it. Nothing was saved; "
                                      "check its current state and send your change again if still needed."))


class VersionRequired(Exception):
    """A change named no version to check against (an If-Match header or a ``version`` field)."""

    def __init__(self, message=None):
        super().__init__(message or _("Send the version you saw: an If-Match header or a version field."))


class _Missing:
    def __repr__(self):
        return "VERSION_MISSING"


#: What an API call that sent no version passes as ``expected_version``: the service answers
#: :class:`VersionRequired` once it has checked that the caller may act at all (403 comes before 428).
VERSION_MISSING = _Missing()
