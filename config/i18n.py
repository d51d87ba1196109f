from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


@csrf_exempt  # Changing the display language is harmless, and a CSRF token would
@require_POST  # set a cookie on every anonymous page. The language cookie is set
def set_language(request):  # only when the person asks for it.
    return django_set_language(request)
