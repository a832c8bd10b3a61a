"""``{% cached_layout "topbar" %}``: the layout's top bar and footer, cached (issue 7).

They are the same on every page a person opens at one address: cached per person, page address (the
language switch returns there) and language, under the reference generation (names, roles, units) and
the notices generation (the unread count). Their forms carry the CSRF slot, filled per request.
"""

from django import template
from django.template.loader import get_template

from campaign import fragments
from campaign.navigation import NOTICES

register = template.Library()


@register.simple_tag(takes_context=True)
def cached_layout(context, name: str):
    request = context.get("request")
    layout = get_template(f"_{name}.html")
    if request is None:
        return layout.render(context.flatten())
    user = context.get("user")
    parts = (getattr(user, "pk", None), request.get_full_path(), fragments.generation(), fragments.generation(NOTICES))
    html = fragments.cached_fragment(
        f"layout-{name}", parts, lambda: layout.render(context.flatten() | {"csrf_token": fragments.CSRF_SLOT}),
        templates=(f"_{name}.html",), timeout=fragments.LIST_TIMEOUT)
    return fragments.with_csrf(html, request)
