"""Downloads of a case's printed documents: the 强制报告登记表 and a referral's 转介单
(.docx). Who may have which is decided in protection.documents; "not yours" answers
404 like "missing"."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from shouwang.core.exceptions import NotFound

from .. import documents, selectors


def _docx(content: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        content,
        content_type=documents.DOCX,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_GET
def report_form_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's 强制报告登记表 for a viewer of the whole case (audited)."""
    try:
        case = selectors.case_get_for(request.user, pk=pk)
        content = documents.report_form_render(actor=request.user, case=case)
    except NotFound as error:
        raise Http404(error.message) from None
    return _docx(content, documents.report_form_filename(case))


@require_GET
def referral_letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral's 转介单 for the sender's side or the receiving unit (audited)."""
    try:
        referral = selectors.referral_get_for(request.user, pk=pk)
        content = documents.referral_letter_render(
            actor=request.user, referral=referral
        )
    except NotFound as error:
        raise Http404(error.message) from None
    return _docx(content, documents.referral_letter_filename(referral))


urlpatterns = [
    path("<int:pk>/report-form.docx", report_form_download, name="case-report-docx"),
    path(
        "referrals/<int:pk>/letter.docx",
        referral_letter_download,
        name="referral-letter",
    ),
]
