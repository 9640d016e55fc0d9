"""What this node publishes to other nodes."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import parts
from .envelope import MAX_ENVELOPE_BYTES, EnvelopeRefused
from .identity import NodeIdentityError, signed_document, this_node
from .inbox import receive
from .operations import peer_statuses
from .peers import learn_rotation_of
from .shared_directory import DIRECTORY_PATH, requesting_peer, signed_directory


@require_GET
def node_document(request):
    """The node's public identity, signed by its key, for `trm peer add` on another node."""
    try:
        node = this_node()
    except NodeIdentityError:
        raise Http404 from None
    response = HttpResponse(signed_document(node), content_type="application/jose")
    response["Cache-Control"] = "no-cache"
    return response


UNKNOWN_REQUESTER = gettext_lazy("The request is not signed by a node pinned here.")


@require_GET
def directory_document(request):
    """The organisations this node hosts, signed by its key, for its pinned peers only (the
    request is signed by the asking peer's key)."""
    try:
        node = this_node()
    except NodeIdentityError:
        raise Http404 from None
    if requesting_peer(request.headers.get("Authorization", ""), node=node, path=DIRECTORY_PATH):
        response = HttpResponse(signed_directory(node), content_type="application/jose")
        response["Cache-Control"] = "no-store"
        return response
    return JsonResponse({"code": "unknown_requester", "detail": str(UNKNOWN_REQUESTER)}, status=403)


@csrf_exempt
@require_POST
def inbox(request):
    """A peer's delivery: 200 with the signed receipt, or 4xx with a code and a reason."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_ENVELOPE_BYTES:
        return _refused(EnvelopeRefused("too_large"))
    # The sender's signed word of when it posted this attempt (outbox.py).
    stamp = request.headers.get("TRM-Delivery", "")[:2048]
    try:
        try:
            stored, _new = receive(request.body, stamp)
        except EnvelopeRefused as refused:
            # Signed by a key not pinned here: a pinned peer may have rotated its keys.
            if refused.code != "unknown_sender" or not learn_rotation_of(refused.claimed_sender):
                raise
            stored, _new = receive(request.body, stamp)
    except EnvelopeRefused as refused:
        return _refused(refused)
    except NodeIdentityError:
        raise Http404 from None  # a node without an identity exchanges with nobody
    parts.drop_settled(stored.sender)  # this message may have filled the gap before a part's
    return HttpResponse(stored.receipt, content_type="application/jose")


@csrf_exempt
@require_POST
def inbox_part(request):
    """A peer's delivery of an envelope with the part it references (parts.py): the inbox's
    answer, or 4xx with a code and a reason, keeping nothing, if the part is not the one the
    envelope names."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > parts.MAX_ENVELOPE_WITH_PART + parts.max_part_bytes():
        return _part_refused(parts.PartRefused("part_too_large"))
    stamp = request.headers.get("TRM-Delivery", "")[:2048]
    try:
        envelope, part = parts.split(
            request.body, request.headers.get(parts.ENVELOPE_LENGTH_HEADER, "")
        )
        try:
            stored, _new = parts.receive_with_part(envelope, part, stamp, receive)
        except EnvelopeRefused as refused:
            if refused.code != "unknown_sender" or not learn_rotation_of(refused.claimed_sender):
                raise
            stored, _new = parts.receive_with_part(envelope, part, stamp, receive)
    except parts.PartRefused as refused:
        return _part_refused(refused)
    except EnvelopeRefused as refused:
        return _refused(refused)
    except NodeIdentityError:
        raise Http404 from None
    return HttpResponse(stored.receipt, content_type="application/jose")


def _part_refused(refused) -> JsonResponse:
    status = 413 if refused.code == "part_too_large" else 422
    return JsonResponse({"code": refused.code, "detail": refused.reason}, status=status)


STATUS = {"too_large": 413, "reused_id": 409, "schema_violation": 422}


def _refused(refused: EnvelopeRefused) -> JsonResponse:
    answer = {"code": refused.code, "detail": refused.reason}
    if refused.code == "schema_violation":
        # Where and how, for the sender's operators to mend their side: never a value.
        answer["problem"] = refused.detail
    return JsonResponse(answer, status=STATUS.get(refused.code, 400))


@login_required
@require_GET
def status(request):
    """Each peer's queue, oldest unacknowledged message, delivery time, clock and connection,
    for the node's administrators."""
    if not request.user.administers_node:
        raise PermissionDenied
    return render(
        request,
        "federation/status.html",
        {
            "statuses": peer_statuses(),
            "alert_minutes": settings.FEDERATION_UNDELIVERED_ALERT_MINUTES,
            "held_minutes": settings.FEDERATION_HELD_ALERT_MINUTES,
        },
    )
