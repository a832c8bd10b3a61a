"""The lock every job-facing write of a campaign's reports takes first."""

from __future__ import annotations

from campaign.models import Campaign


def lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign_id)
