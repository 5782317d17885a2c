"""The responsibility bulletin (责任落实情况通报) page and its Word download, for civil
affairs and leaders of a city or county: an area (their own or one below it, a
county at the lowest) and a period (default: the previous quarter)."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from shouwang.areas.models import Area
from shouwang.reports.periods import BadPeriod, last_quarter, parse_period

from . import responsibility
from .responsibility import (
    DOCX,
    LEVELS,
    SCORE_RULE,
    Bulletin,
    bulletin_download,
    docx_filename,
)


def _period(request: HttpRequest):
    start, end = request.GET.get("from", ""), request.GET.get("to", "")
    if not start.strip() and not end.strip():
        return last_quarter()
    return parse_period(start, end)


def _choices(user) -> list[Area]:
    """The areas the user may pick: their own and those one level below it that
    the bulletin ranks (a city's counties)."""
    own = user.area
    below = Area.objects.filter(parent=own, level__in=LEVELS).order_by("code")
    return [own, *below]


def _query(request: HttpRequest, area_code: str) -> dict[str, str]:
    query = {"area": area_code}
    for name in ("from", "to"):
        if request.GET.get(name, "").strip():
            query[name] = request.GET[name].strip()
    return query


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    base = {
        "choices": _choices(request.user),
        "form_area": request.GET.get("area", "") or request.user.area_id,
        "form_from": request.GET.get("from", ""),
        "form_to": request.GET.get("to", ""),
        "score_rule": SCORE_RULE,
    }
    return render(
        request, "jointwork/responsibility.html", {**base, **context}, status=status
    )


def _bulletin(request: HttpRequest) -> tuple[Bulletin | None, HttpResponse | None]:
    """The bulletin asked for, or the page refusing it (404 for an area that is not
    the user's, the form with the message for a bad date)."""
    responsibility.refuse_unless_reader(request.user)
    try:
        period = _period(request)
    except BadPeriod as error:
        return None, _page(request, {"error": error}, status=400)
    try:
        bulletin = responsibility.bulletin_for(
            viewer=request.user, code=request.GET.get("area", ""), period=period
        )
    except Http404 as error:
        return None, _page(request, {"missing": str(error)}, status=404)
    return bulletin, None


@require_GET
def responsibility_page(request: HttpRequest) -> HttpResponse:
    """The ranked tables of an area's sub-areas and member units for a period."""
    bulletin, refusal = _bulletin(request)
    if refusal is not None:
        return refusal
    query = _query(request, bulletin.area.code)
    return _page(
        request,
        {
            "bulletin": bulletin,
            "tables": [bulletin.areas, bulletin.units],
            # The period shown in the form, the default quarter's too.
            "form_from": bulletin.period.start.isoformat(),
            "form_to": bulletin.period.end.isoformat(),
            "download_url": f"{reverse('jointwork:responsibility-docx')}?"
            + urlencode(query),
        },
    )


@require_GET
def responsibility_docx(request: HttpRequest) -> HttpResponse:
    """The bulletin as a Word document (the download is audited)."""
    bulletin, refusal = _bulletin(request)
    if refusal is not None:
        return refusal
    content = bulletin_download(actor=request.user, bulletin=bulletin)
    return HttpResponse(
        content,
        content_type=DOCX,
        headers={
            "Content-Disposition": content_disposition_header(
                True, docx_filename(bulletin)
            )
        },
    )
