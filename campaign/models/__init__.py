"""The campaign, the evaluation framework it is measured against, and the places and categories of the street.

One module per subject; everything is importable from ``campaign.models`` as before. The outbox's model
lives with the infrastructure that uses it (campaign/core/outbox.py) and belongs to this app.
"""

from campaign.core.outbox import OutboxMessage
from campaign.models.campaigns import MAX_ID, WEIGHT_FIELDS, Campaign, JobHeartbeat
from campaign.models.framework import Content, Framework, FrameworkItem, Indicator, NegativeListItem, Standard
from campaign.models.places import CheckItem, EventCategory, PointType, Site

__all__ = [
    "MAX_ID", "WEIGHT_FIELDS", "Campaign", "CheckItem", "Content", "EventCategory", "Framework", "FrameworkItem",
    "Indicator", "JobHeartbeat", "NegativeListItem", "OutboxMessage", "PointType", "Site", "Standard",
]
