from django.shortcuts import get_object_or_404, render

from groups.models import Group


def search(request):
    groups = Group.objects.published().select_related("organization")[:20]
    return render(request, "groups/group_search.html", {"groups": groups})


def group_detail(request, pk: int):
    group = get_object_or_404(Group.objects.published(), pk=pk)
    return render(request, "groups/group_detail.html", {"group": group})
