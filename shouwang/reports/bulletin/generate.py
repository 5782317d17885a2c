"""One bulletin from start to end, without the database rows of a request: resolve
the template's bytes, gather the numbers, fill the template. Used by the background
task (through services.bulletins) and, synchronously, by `manage.py bulletin`."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import timezone

from shouwang.areas import codes
from shouwang.areas.models import Area

from ..models import BulletinTemplate
from ..periods import Period
from . import context as bulletin_context
from . import numbers, render, validate
from .context import Figures

DEFAULT_TEMPLATE = Path(__file__).with_name("default_template.docx")
DEFAULT_NAME = "系统默认模板"
RENDERING = (85, "正在按模板生成文档")


@dataclass
class Generated:
    document: bytes
    figures: Figures
    pending_used: list[str]


def default_template_bytes() -> bytes:
    return DEFAULT_TEMPLATE.read_bytes()


def template_in_use(area: Area) -> BulletinTemplate | None:
    """The newest active template of the area, else of the nearest area above it;
    None: the default template."""
    chain = [area.code, *reversed(codes.ancestors(area.code))]
    newest: dict[str, BulletinTemplate] = {}
    active = BulletinTemplate.objects.filter(area_id__in=chain, is_active=True)
    for template in active.order_by("-created_at", "-id"):
        newest.setdefault(template.area_id, template)
    for code in chain:
        if code in newest:
            return newest[code]
    return None


def template_bytes(template: BulletinTemplate | None) -> bytes:
    if template is None:
        return default_template_bytes()
    with template.file.open("rb") as stored:
        return stored.read()


def generate(
    *,
    area: Area,
    period: Period,
    reference: date,
    template: bytes,
    template_name: str,
    progress: numbers.Progress | None = None,
) -> Generated:
    """The filled .docx and the numbers in it; TemplateRejected or RenderFailed when
    the template cannot be used."""
    validate.check_template(template, name=template_name)
    figures = numbers.gather(
        area=area, period=period, reference=reference, progress=progress
    )
    if progress is not None:
        progress(*RENDERING)
    used: set[str] = set()
    values = bulletin_context.build_context(
        area=area,
        period=period,
        reference=reference,
        figures=figures,
        today=timezone.localdate(),
        used=used,
    )
    document = render.render(template, values, name=template_name, used=used)
    return Generated(document, figures, sorted(used))
