"""Every periodic job, in one place. celery beat reads this; nothing else defines schedules."""

from datetime import timedelta


def beat_schedule() -> dict:
    return {
        "heartbeat": {
            "task": "campaign.jobs.heartbeat",
            "schedule": timedelta(minutes=1),
        },
    }
