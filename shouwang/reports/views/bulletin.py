"""Pages of the status bulletin (工作情况通报): the list of generated bulletins with
the form to generate one, a bulletin's progress, preview and download, the
placeholder reference with the default template, and a county's own templates.

Leaders read and download (VIEW_BULLETINS); civil-affairs officers also generate
and manage templates (GENERATE_BULLETINS). Every area goes through
report_area_for, every record through a jurisdiction-cut selector (foreign = 404)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from shouwang.accounts import access
from shouwang.accounts.access import Perm, require
from shouwang.core.exceptions import DomainError

from .. import catalogue
from ..bulletin import context as names
from ..bulletin import generate as generation
from ..bulletin import preview, selectors
from ..catalogue import KIND_LABELS
from ..forms_bulletin import TEMPLATE_DEFAULT, BulletinForm, TemplateUploadForm
from ..models import Bulletin, BulletinStatus
from ..periods import last_quarter
from ..selectors import report_area_for
from ..services import bulletins as services

PER_PAGE = 30
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_GONE = "文件已不在服务器上：请重新生成，或联系系统管理员。"


def _initial(user) -> dict:
    period = last_quarter()
    return {
        "area": user.area_id or "",
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def _settle(request: HttpRequest, pk: int | None = None) -> None:
    """Mark failed the viewer's bulletins (or the one) whose worker died, so that the
    page says so and offers to generate it again."""
    bulletins = selectors.bulletin_list_for(viewer=request.user)
    services.bulletins_fail_stale(bulletins if pk is None else bulletins.filter(pk=pk))


def _list_page(request: HttpRequest, form: BulletinForm | None, status: int = 200):
    _settle(request)
    bulletins = selectors.bulletin_list_for(viewer=request.user).defer("figures")
    page = Paginator(bulletins, PER_PAGE).get_page(request.GET.get("page"))
    in_use = None
    if form is not None and request.user.area_id:
        in_use = generation.template_in_use(request.user.area)
    return render(
        request,
        "reports/bulletin_list.html",
        {
            "page": page,
            "form": form,
            "in_use": in_use,
            "default_name": generation.DEFAULT_NAME,
        },
        status=status,
    )


def _can_generate(user) -> bool:
    return access.has_perm(user, Perm.GENERATE_BULLETINS)


def bulletin_list(request: HttpRequest) -> HttpResponse:
    """The generated bulletins of the jurisdiction, newest first; for those who may,
    the form to generate one."""
    require(request.user, Perm.VIEW_BULLETINS)
    form = None
    if _can_generate(request.user):
        areas = selectors.bulletin_areas_for(viewer=request.user)
        form = BulletinForm(initial=_initial(request.user), areas=areas)
    return _list_page(request, form)


@require_POST
def bulletin_create(request: HttpRequest) -> HttpResponse:
    """Check the request and the template, store the bulletin and queue it; then
    show its page (progress, then preview)."""
    require(request.user, Perm.GENERATE_BULLETINS)
    areas = selectors.bulletin_areas_for(viewer=request.user)
    form = BulletinForm(request.POST, areas=areas)
    if form.is_valid():
        area = report_area_for(viewer=request.user, code=form.cleaned_data["area"])
        try:
            bulletin = services.bulletin_request(
                actor=request.user,
                area=area,
                period=form.period,
                reference=form.reference_date,
                use_default=form.cleaned_data["template"] == TEMPLATE_DEFAULT,
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            return redirect("reports:bulletin-detail", pk=bulletin.pk)
    return _list_page(request, form, status=400)


def _read(bulletin: Bulletin) -> bytes | None:
    if not bulletin.file:
        return None
    try:
        with bulletin.file.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return None


def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One bulletin: its progress while it is generated, then the preview and the
    download button, or why it failed."""
    require(request.user, Perm.VIEW_BULLETINS)
    _settle(request, pk)
    bulletin = selectors.bulletin_get_for(viewer=request.user, pk=pk)
    html = gone = None
    if bulletin.status == BulletinStatus.DONE:
        data = _read(bulletin)
        if data is None:
            gone = FILE_GONE
        else:
            html = preview.to_html(data)
    pending = [
        catalogue.FIGURES[key]
        for key in bulletin.figures.get("pending_used", [])
        if key in catalogue.FIGURES
    ]
    return render(
        request,
        "reports/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "preview": html,
            "gone": gone,
            "pending": pending,
            "can_generate": _can_generate(request.user),
        },
    )


def _active(bulletin: Bulletin) -> bool:
    return bulletin.status in (BulletinStatus.QUEUED, BulletinStatus.RUNNING)


def bulletin_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar (an htmx fragment polled every second); once generation has
    ended it tells htmx to reload the page, which then shows the preview."""
    require(request.user, Perm.VIEW_BULLETINS)
    _settle(request, pk)
    bulletin = selectors.bulletin_get_for(viewer=request.user, pk=pk)
    response = render(
        request,
        "reports/_bulletin_progress.html",
        {"bulletin": bulletin, "active": _active(bulletin)},
    )
    if not _active(bulletin) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
def bulletin_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed bulletin's generation again; then show its progress."""
    require(request.user, Perm.GENERATE_BULLETINS)
    bulletin = selectors.bulletin_get_for(viewer=request.user, pk=pk)
    try:
        services.bulletin_retry(actor=request.user, bulletin=bulletin)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已重新排队生成该通报。")
    return redirect("reports:bulletin-detail", pk=bulletin.pk)


def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The .docx of a generated bulletin (each download is audited)."""
    require(request.user, Perm.VIEW_BULLETINS)
    bulletin = selectors.bulletin_get_for(viewer=request.user, pk=pk)
    if bulletin.status != BulletinStatus.DONE or not bulletin.file:
        raise Http404("该通报还没有生成完成，没有可下载的文件。")
    try:
        handle = bulletin.file.open("rb")
    except FileNotFoundError:
        raise Http404(FILE_GONE) from None
    services.bulletin_download(actor=request.user, bulletin=bulletin)
    name = (
        f"{bulletin.area.name}工作情况通报"
        f"（{bulletin.start:%Y%m%d}-{bulletin.end:%Y%m%d}）.docx"
    )
    return FileResponse(handle, as_attachment=True, filename=name, content_type=DOCX)


# Templates ---------------------------------------------------------------------------


def placeholder_list(request: HttpRequest) -> HttpResponse:
    """Every name a template may use, with each figure's definition, and the link to
    the default template (figure definitions: for everyone who reads figures)."""
    require(request.user, Perm.VIEW_REPORTS)
    groups = []
    for heading, figures in catalogue.groups().items():
        groups.append(
            {
                "heading": heading,
                "figures": [
                    {
                        "figure": figure,
                        "placeholder": "{{ " + figure.placeholder + " }}",
                        "kind": KIND_LABELS[figure.kind],
                    }
                    for figure in figures
                ],
            }
        )
    example = catalogue.FIGURES["children.left_behind"].placeholder
    return render(
        request,
        "reports/bulletin_placeholders.html",
        {
            "groups": groups,
            "attributes": [
                ("{{ " + f"{example}.{name}" + " }}", text)
                for name, text in names.FIGURE_ATTRIBUTES.items()
            ],
            "names": [
                (
                    "{{ " + name + " }}",
                    text,
                    [("{{ " + f"{name}.{a}" + " }}", t) for a, t in attrs.items()],
                )
                for name, (text, attrs) in names.NAMES.items()
            ],
            "row_attributes": [
                ("{{ " + f"row.{name}" + " }}", text)
                for name, text in names.ROW_ATTRIBUTES.items()
            ],
            "row_figure": "{{ row." + example + " }}",
            "loop_start": "{%tr for row in subareas %}",
            "loop_end": "{%tr endfor %}",
            "pending_text": names.PENDING_TEXT,
            "blank_text": names.BLANK_TEXT,
            # The way back to the bulletins and templates, for those who make them.
            "may_generate": access.has_perm(request.user, Perm.GENERATE_BULLETINS),
        },
    )


def default_template(request: HttpRequest) -> HttpResponse:
    """The default template (.docx) to start a county's own from."""
    require(request.user, Perm.GENERATE_BULLETINS)
    response = HttpResponse(generation.default_template_bytes(), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, "工作情况通报默认模板.docx"
    )
    return response


def _templates_page(request, form: TemplateUploadForm, status: int = 200):
    in_use = (
        generation.template_in_use(request.user.area) if request.user.area_id else None
    )
    return render(
        request,
        "reports/bulletin_templates.html",
        {
            "templates": selectors.template_list_for(viewer=request.user)[:200],
            "form": form,
            "in_use": in_use,
            "default_name": generation.DEFAULT_NAME,
        },
        status=status,
    )


def template_list(request: HttpRequest) -> HttpResponse:
    """The templates of the jurisdiction, which one is in use, and the upload form."""
    require(request.user, Perm.GENERATE_BULLETINS)
    areas = selectors.template_areas_for(viewer=request.user)
    form = TemplateUploadForm(initial={"area": request.user.area_id}, areas=areas)
    return _templates_page(request, form)


@require_POST
def template_upload(request: HttpRequest) -> HttpResponse:
    """Check and store an uploaded template; nothing is stored when it fails."""
    require(request.user, Perm.GENERATE_BULLETINS)
    areas = selectors.template_areas_for(viewer=request.user)
    form = TemplateUploadForm(request.POST, request.FILES, areas=areas)
    if form.is_valid():
        area = report_area_for(viewer=request.user, code=form.cleaned_data["area"])
        try:
            template = services.template_upload(
                actor=request.user,
                area=area,
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                f"模板“{template.name}”已通过检查并启用：{area.name}此后生成的通报使用该模板。",
            )
            return redirect("reports:bulletin-templates")
    return _templates_page(request, form, status=400)


def template_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded template as it was uploaded."""
    require(request.user, Perm.GENERATE_BULLETINS)
    template = selectors.template_get_for(viewer=request.user, pk=pk)
    try:
        handle = template.file.open("rb")
    except FileNotFoundError:
        raise Http404(FILE_GONE) from None
    return FileResponse(
        handle, as_attachment=True, filename=template.original_name, content_type=DOCX
    )


@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop using a template (it is kept)."""
    require(request.user, Perm.GENERATE_BULLETINS)
    template = selectors.template_get_for(viewer=request.user, pk=pk)
    try:
        services.template_retire(actor=request.user, template=template)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"模板“{template.name}”已停用。")
    return redirect("reports:bulletin-templates")


urlpatterns = [
    path("bulletins/", bulletin_list, name="bulletin-list"),
    path("bulletins/new/", bulletin_create, name="bulletin-create"),
    path("bulletins/<int:pk>/", bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/progress/", bulletin_progress, name="bulletin-progress"),
    path("bulletins/<int:pk>/download/", bulletin_download, name="bulletin-download"),
    path("bulletins/<int:pk>/retry/", bulletin_retry, name="bulletin-retry"),
    path("bulletins/placeholders/", placeholder_list, name="bulletin-placeholders"),
    path(
        "bulletins/templates/default/",
        default_template,
        name="bulletin-default-template",
    ),
    path("bulletins/templates/", template_list, name="bulletin-templates"),
    path(
        "bulletins/templates/upload/", template_upload, name="bulletin-template-upload"
    ),
    path(
        "bulletins/templates/<int:pk>/file/",
        template_file,
        name="bulletin-template-file",
    ),
    path(
        "bulletins/templates/<int:pk>/retire/",
        template_retire,
        name="bulletin-template-retire",
    ),
]
