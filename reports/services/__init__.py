"""Writes for bulletins, meetings, meeting packs, notices, and their pushes through the channels.

Every job-facing service is safe to run twice and on two workers at once: it
locks the campaign row (``select_for_update``) before looking for existing
rows, and the models' named unique constraints are the backstop.
"""

from reports.services.bulletins import previous_iso_week, publish_bulletin, regenerate_bulletin, write_bulletin
from reports.services.deliveries import deliver, deliver_due, delivery_resend
from reports.services.handoffs import (
    announce_bulletin,
    announce_closed,
    announce_dispatch,
    announce_extension_asked,
    announce_extension_decided,
    announce_handed,
    announce_rectified,
    announce_returned,
    announce_sent_back,
    announce_speakers,
    announce_withdrawn,
    sweep_lights,
)
from reports.services.meetings import (
    approve_meeting,
    build_pack,
    propose_meeting,
    request_pack,
    set_pack_progress,
    update_agenda,
)
from reports.services.notices import email_notice_digests, mark_notices_read, notify, notify_task_change, remind
from reports.services.robots import robot_save, robot_send_test

__all__ = [
    "announce_bulletin", "announce_closed", "announce_dispatch", "announce_extension_asked",
    "announce_extension_decided", "announce_handed", "announce_rectified", "announce_returned", "announce_sent_back",
    "announce_speakers", "announce_withdrawn", "approve_meeting", "build_pack", "deliver", "deliver_due",
    "delivery_resend", "email_notice_digests", "mark_notices_read", "notify", "notify_task_change",
    "previous_iso_week", "propose_meeting", "publish_bulletin", "regenerate_bulletin", "remind", "request_pack",
    "robot_save", "robot_send_test", "set_pack_progress", "sweep_lights", "update_agenda", "write_bulletin",
]
