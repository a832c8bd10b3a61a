from rest_framework import serializers

from reports.models import AgendaItem, Bulletin, Meeting, MeetingPack


class BulletinListSerializer(serializers.ModelSerializer):
    issue_no = serializers.CharField(read_only=True)
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)

    class Meta:
        model = Bulletin
        fields = ["id", "campaign", "campaign_name", "issue_no", "number", "iso_year", "iso_week", "week_start",
                  "week_end", "version", "is_current", "generated_at", "published_at"]


class BulletinDetailSerializer(BulletinListSerializer):
    class Meta(BulletinListSerializer.Meta):
        fields = [*BulletinListSerializer.Meta.fields, "figures"]


class AgendaItemSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", default=None, read_only=True, allow_null=True)
    speaker_name = serializers.CharField(source="speaker.display_name", default=None, read_only=True,
                                         allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "order", "kind", "title", "unit", "unit_name", "speaker", "speaker_name", "minutes", "note"]


class MeetingPackSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPack
        fields = ["id", "status", "progress", "step", "size", "requested_at", "finished_at", "download_url"]

    def get_download_url(self, pack) -> str | None:
        if pack.status != MeetingPack.Status.DONE:
            return None
        request = self.context.get("request")
        url = f"/api/v1/meetings/{pack.meeting_id}/pack/download/"
        return request.build_absolute_uri(url) if request else url


class MeetingSerializer(serializers.ModelSerializer):
    items = AgendaItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "campaign", "month", "date", "title", "location", "status", "proposed_at", "approved_at",
                  "items"]
