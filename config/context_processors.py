from django.conf import settings


def kindred(request):
    """Values every page needs: the site's name and the crisis line."""
    return {
        "site_name": settings.SITE_NAME,
        # The frame uses this name: Django's auth views put their own `site_name` (the
        # request's host) into the context, which showed "127.0.0.1:8000" as the brand.
        "kindred_site_name": settings.SITE_NAME,
        "crisis_line": {
            "text": settings.CRISIS_LINE_TEXT,
            "phone": settings.CRISIS_LINE_PHONE,
            "sms": settings.CRISIS_LINE_SMS,
        },
    }
