from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """What the base layout needs on every page: the site name and whether it runs embedded."""
    return {"SITE_NAME": "百日攻坚", "EMBEDDED_JOBS": settings.CELERY_TASK_ALWAYS_EAGER}


def navigation(request):
    from campaign.navigation import entries

    user = getattr(request, "user", None)
    # Lazy: the top bar that shows them is usually served from the cache (campaign/templatetags/layout.py).
    return {"nav_entries": SimpleLazyObject(lambda: entries(user)) if user is not None else []}
