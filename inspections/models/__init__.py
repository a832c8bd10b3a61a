"""The inspections app's models: inspections and their check lists, findings and their closed loop, and a
finding's routing (see each module)."""

from inspections.models.findings import Finding, FindingPhoto, Rectification, Verification
from inspections.models.inspections import TIER_NAMES, CheckResult, Inspection, Tier
from inspections.models.routing import ExtensionRequest, FindingEvent

__all__ = ["TIER_NAMES", "CheckResult", "ExtensionRequest", "Finding", "FindingEvent", "FindingPhoto", "Inspection",
           "Rectification", "Tier", "Verification"]
