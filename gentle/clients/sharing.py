"""The "Share with the client" button's view, for any piece of work the portal can show."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from gentle.clients.actions import share_with_client


def share_view(request, item, *, verb: str, page: str):
    """Apply the posted choice (``shared`` 1 or 0) to ``item`` and go back to its ``page``."""
    shared = request.POST.get("shared") == "1"
    share_with_client(by=request.user, item=item, shared=shared, verb=verb)
    if shared:
        messages.success(request, _("Shared: the client can now open this in their portal."))
    else:
        messages.success(request, _("No longer shared with the client."))
    return redirect(page, item.pk)
