from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Where a signed-in person lands: their organizations and what they can do there."""
    memberships = request.user.active_memberships()
    return render(request, "accounts/home.html", {"memberships": memberships})
