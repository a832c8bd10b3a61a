from django.conf import settings


def site(request):
    """What the base layout needs on every page: the site name and whether it runs embedded."""
    return {"SITE_NAME": "百日攻坚", "EMBEDDED_JOBS": settings.CELERY_TASK_ALWAYS_EAGER}


def navigation(request):
    from campaign.navigation import entries

    user = getattr(request, "user", None)
    return {"nav_entries": entries(user) if user is not None else []}
