import functools

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from campaign.core import todo
from campaign.core.navigation import entries


def site(request):
    """What the base layout needs on every page: the site name and whether it runs embedded."""
    return {"SITE_NAME": "百日攻坚", "EMBEDDED_JOBS": settings.CELERY_TASK_ALWAYS_EAGER}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_entries": [], "todo_count": 0}
    # Lazy: a page without the top bar (a fragment, a redirect) never reads them.
    return {"nav_entries": SimpleLazyObject(lambda: entries(user)),
            "todo_count": functools.cache(lambda: todo.count(user, timezone.now()))}
