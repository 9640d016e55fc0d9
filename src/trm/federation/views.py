"""What this node publishes to other nodes."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from .identity import NodeIdentityError, signed_document, this_node


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
