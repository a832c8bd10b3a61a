"""Writes for the three-tier inspection: inspections, and the closed loop each finding goes through.

Each service checks the rule (``rules``) and raises PermissionDenied with a readable message, validates input
and raises ValidationError, and changes nothing unless everything holds: each is one transaction.
"""

from inspections.services.findings import (
    Proposal,
    find_rebound_source,
    finding_close,
    finding_create,
    finding_rectify,
    finding_return,
    propose,
)
from inspections.services.inspections import inspection_finish, inspection_record_checks, inspection_start
from inspections.services.routing import (
    extension_ask,
    extension_decide,
    finding_assign,
    finding_correct,
    finding_redispatch,
    finding_send_back,
    finding_withdraw,
)

__all__ = [
    "Proposal", "extension_ask", "extension_decide", "find_rebound_source", "finding_assign", "finding_close",
    "finding_correct", "finding_create", "finding_rectify", "finding_redispatch", "finding_return",
    "finding_send_back", "finding_withdraw", "inspection_finish", "inspection_record_checks", "inspection_start",
    "propose",
]
