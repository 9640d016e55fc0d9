"""Pages that belong to the node rather than to a part of the domain."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache


@login_required
def home(request):
    """My work: my open cases by stage, what is due, referrals to answer, approvals, news."""
    from trm.access.policy import visible_cases
    from trm.cases.pages import approvals_waiting_for
    from trm.cases.stages import Stage
    from trm.deadlines.messages import due_text
    from trm.deadlines.models import Deadline, DeadlineKind, Notification
    from trm.referrals.inbox import inbox_for
    from trm.referrals.models import AWAITING_ANSWER

    user = request.user
    visible = visible_cases(user)
    mine = visible.filter(case_worker=user).exclude(stage=Stage.CLOSED)
    by_stage = dict(
        mine.values_list("stage").annotate(count=Count("pk")).values_list("stage", "count")
    )
    soon = timezone.now() + timedelta(days=14)
    due = (
        Deadline.objects.open()
        .filter(case__in=visible, due_at__lte=soon)
        .select_related("case")
        .order_by("due_at")[:20]
    )
    referrals = list(
        inbox_for(user).filter(state__in=sorted(AWAITING_ANSWER)).select_related("case")[:20]
    )
    # The answer each owes, from its open response deadline (none while a question waits).
    answers_due = {
        deadline.referral_id: deadline
        for deadline in Deadline.objects.open()
        .filter(kind=DeadlineKind.REFERRAL_RESPONSE, referral_id__in=[r.pk for r in referrals])
        .select_related("country")
    }
    for referral in referrals:
        deadline = answers_due.get(referral.pk)
        referral.answer_due = due_text(deadline) if deadline else None
    return render(
        request,
        "core/home.html",
        {
            "memberships": user.active_memberships(),
            "stages": [(stage, by_stage[stage]) for stage in Stage if stage in by_stage],
            "open_cases": sum(by_stage.values()),
            "due": due,
            "now": timezone.now(),
            "referrals": referrals,
            "approvals": approvals_waiting_for(user)[:20],
            "notifications": Notification.objects.filter(user=user)
            .select_related("case", "deadline__case", "deadline__country", "organisation")
            .order_by("-created_at")[:5],
        },
    )


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever failed (the database, a context processor) may fail again.
    return HttpResponseServerError(render_to_string("500.html"))
