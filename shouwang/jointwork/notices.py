"""The 督办通知 document: a Word file filled from a supervision notice with the
template scripts/build_supervision_notice_template.py builds (jointwork/data/).
Made afresh on each download from the record, so it always says what was issued;
the download is audited by the view that serves it."""

import io
from pathlib import Path

from docxtpl import DocxTemplate

from .models import SupervisionNotice
from .vocab import UNIT_LABELS

TEMPLATE = Path(__file__).resolve().parent / "data" / "supervision_notice_template.docx"


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def notice_context(notice: SupervisionNotice) -> dict:
    """The template's values: the unit, the task, its meeting, the original deadline,
    the days overdue when issued, the new deadline."""
    task = notice.task
    meeting = task.decision.meeting
    area = task.area
    return {
        "number": notice.number,
        "office": f"{area.name}农村留守儿童和困境儿童关爱保护工作联席会议办公室",
        "unit": f"{area.name}{UNIT_LABELS.get(task.unit, task.unit)}",
        "task": task.title,
        "decision": task.decision.text.rstrip("。"),
        "meeting": {"title": meeting.title, "date": _day(meeting.held_on)},
        "deadline": _day(task.deadline),
        "days_overdue": max((notice.issued_on - task.deadline).days, 0),
        "new_deadline": _day(notice.new_deadline),
        "text": notice.text,
        "issued_on": _day(notice.issued_on),
    }


def notice_document(notice: SupervisionNotice) -> bytes:
    """The notice as a .docx."""
    template = DocxTemplate(TEMPLATE)
    template.render(notice_context(notice), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def notice_filename(notice: SupervisionNotice) -> str:
    return f"督办通知{notice.number}.docx"
