from django.conf import settings

from .navigation import banners_for, nav_for, nav_groups


def oneteam(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"oneteam_settings": settings.ONETEAM}
    items = nav_for(request)
    return {
        "nav_items": items,
        "nav_groups": nav_groups(request, items),
        "banners": banners_for(request),
        "oneteam_settings": settings.ONETEAM,
    }
