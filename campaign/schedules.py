"""Every periodic job, in one place. celery beat reads this; nothing else defines schedules.

Times are Asia/Shanghai (CELERY_TIMEZONE). The bulletin tick runs hourly and
each campaign's own weekday and hour decide when its bulletin is written
(reports.jobs.bulletin_tick), so a setting change needs no schedule change.
"""

from datetime import timedelta

from celery.schedules import crontab


def beat_schedule() -> dict:
    return {
        "heartbeat": {"task": "campaign.jobs.heartbeat", "schedule": timedelta(minutes=1)},
        # jobs written to the outbox while the broker was down (campaign/core/outbox.py)
        "flush-outbox": {"task": "campaign.jobs.flush_outbox", "schedule": timedelta(minutes=1)},
        # deliveries waiting for their next try whose own job is not coming (jobs in-process, a lost job)
        "deliver-due": {"task": "reports.jobs.deliver_due", "schedule": timedelta(minutes=1)},
        # a finding's light turning yellow (80 % of its time) or red reaches its unit within minutes
        "light-tick": {"task": "reports.jobs.light_tick", "schedule": timedelta(minutes=5)},
        "bulletin-tick": {"task": "reports.jobs.bulletin_tick", "schedule": crontab(minute=0)},
        "meeting-tick": {"task": "reports.jobs.meeting_tick", "schedule": crontab(hour=7, minute=30)},
        "reminders": {"task": "reports.jobs.send_reminders", "schedule": crontab(hour=8, minute=15)},
    }
