from django.conf import settings
from django.utils.functional import SimpleLazyObject

from campaign.core.navigation import entries


def site(request):
    """What the base layout needs on every page: the site name and whether it runs embedded."""
    return {"SITE_NAME": "百日攻坚", "EMBEDDED_JOBS": settings.CELERY_TASK_ALWAYS_EAGER}


def navigation(request):
    user = getattr(request, "user", None)
    # Lazy: a page without the top bar (a fragment, a redirect) never reads them.
    return {"nav_entries": SimpleLazyObject(lambda: entries(user)) if user is not None else []}
