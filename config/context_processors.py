from django.conf import settings


def kindred(request):
    """Values every page needs: the site's name and the crisis line."""
    return {
        "site_name": settings.SITE_NAME,
        "crisis_line": {
            "text": settings.CRISIS_LINE_TEXT,
            "phone": settings.CRISIS_LINE_PHONE,
            "sms": settings.CRISIS_LINE_SMS,
        },
    }
