"""Downloads: the empty roster template and the export of the child list's filter."""

import io

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from shouwang.accounts.access import Perm, require

from . import export
from .workbook import write_template


def _attachment(content: bytes, filename: str) -> HttpResponse:
    """The file as a download; the non-ASCII name goes out as RFC 5987
    filename*=utf-8''…"""
    return HttpResponse(
        content,
        content_type=export.XLSX,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """The empty roster template, with the villages the user may fill in."""
    require(request.user, Perm.EDIT_CHILDREN)
    out = io.BytesIO()
    write_template(out, villages=export.villages_for(viewer=request.user))
    return _attachment(out.getvalue(), export.TEMPLATE_FILENAME)


@require_GET
def roster_export(request: HttpRequest) -> HttpResponse:
    """The children of the child list's current filter as a roster (audited);
    full_id=1 gives full ID numbers, for roles that may see them."""
    require(request.user, Perm.VIEW_CHILDREN)
    full_id = request.GET.get("full_id") == "1"
    if full_id:
        require(request.user, Perm.REVEAL_ID)
    if request.headers.get("HX-Request"):
        # The list's filter form submits through htmx, which cannot save a file:
        # send the browser to the same address as an ordinary download instead.
        target = f"{request.path}?{request.GET.urlencode()}"
        return HttpResponse(status=204, headers={"HX-Redirect": target})
    today = timezone.localdate()
    # The workbook is built row by row in temporary files (constant memory); only
    # the finished, compressed file is held here, as the response body.
    out = io.BytesIO()
    export.roster_export_write(
        actor=request.user,
        out=out,
        filters=export.filters_from_query(request.GET),
        full_id=full_id,
        as_of=today,
    )
    return _attachment(out.getvalue(), export.export_filename(today))
