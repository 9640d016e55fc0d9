"""The signed-in user's notifications: unread first, newest first; reading one marks it read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trm.access.policy import visible_cases

from . import actions
from .models import Notification, NotificationEvent

PAGE_SIZE = 50


@login_required
def notifications(request):
    mine = (
        Notification.objects.filter(user=request.user)
        .select_related("case", "deadline__case", "deadline__country", "organisation", "node")
        .annotate(
            unread=Case(
                When(read_at__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-unread", "-created_at", "-pk")
    )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    # A case link only where the user may open the case: the reference alone tells nothing.
    visible = set(
        visible_cases(request.user)
        .filter(pk__in=[n.case_id for n in page.object_list])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "deadlines/notifications.html",
        {
            "page": page,
            "unread_count": Notification.objects.filter(user=request.user).unread().count(),
            "visible_cases": visible,
            # A link to the exchange's status page only for who may open it, asked once.
            "sees_the_exchange": any(
                n.event == NotificationEvent.UNDELIVERED for n in page.object_list
            )
            and request.user.administers_node,
        },
    )


@login_required
@require_POST
def mark_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    actions.mark_read(request.user, notification)
    return redirect("deadlines:notifications")


@login_required
@require_POST
def mark_all_read(request):
    actions.mark_all_read(request.user)
    return redirect("deadlines:notifications")
