"""The bulletin end to end: a county civil-affairs officer asks for this quarter's
bulletin through the page, it is generated (inline task), previewed and downloaded,
and every number in the .docx equals a recount made directly from the ledger."""

import io
import re
from datetime import timedelta

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from docx import Document

from shouwang.accounts import access
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.registry.models import Child, ChildStatus
from shouwang.registry.policy import INSTITUTION, PARENT_RELATIONS
from shouwang.registry.tests.factories import (
    AT_HOME,
    DE_FACTO,
    ORPHAN,
    make_child,
    make_place,
    years_ago,
)
from shouwang.reports.bulletin.context import PENDING_TEXT
from shouwang.reports.models import Bulletin, BulletinStatus
from shouwang.reports.periods import quarter_start
from shouwang.visits.tests.factories import make_visit

from .history import registered_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


BOTH_ILL = {  # both parents in group A: de facto unsupported, weakness ①-A
    "father_status": "重残",
    "father_work_place": "",
    "mother_status": "重病",
    "mother_work_place": "",
    "guardian_name": "王奶奶",
    "guardian_relation": "祖父母",
}


@pytest.fixture
def county():
    """make_place's county with children of every kind in three villages, most of
    them registered half a year ago, one this week; visits for some."""
    place = make_place()
    old = [
        make_child(
            place.village,
            name="留守甲",
            confirmation_signed=True,
            confirmation_date=timezone.localdate() - timedelta(days=300),
        ),
        make_child(place.village, name="留守乙"),
        make_child(
            place.other_village, name="事实", birth_date=years_ago(5), **DE_FACTO
        ),
        make_child(place.far_village, name="孤儿", birth_date=years_ago(12), **ORPHAN),
        make_child(
            place.far_village, name="重病", birth_date=years_ago(10), **BOTH_ILL
        ),
        make_child(
            place.village,
            name="低保",
            birth_date=years_ago(3),
            family_assistance=["低保"],
            **AT_HOME,
        ),
        make_child(
            place.other_village, name="无类", birth_date=years_ago(8), **AT_HOME
        ),
    ]
    for child in old:
        registered_days_ago(child, 200)
    make_child(place.far_village, name="新登记")  # left-behind, registered today
    make_visit(old[0], visit_date=timezone.localdate(), recorded_by=place.director)
    make_visit(old[1], visit_date=timezone.localdate(), recorded_by=place.director)
    return place


def _active(prefix: str = "430524"):
    return Child.objects.filter(
        access.prefix_q("village_id", prefix), status=ChildStatus.ACTIVE
    )


def _needs_confirmation() -> Q:
    return Q(is_left_behind=True) | ~Q(
        guardian_relation__in=[*PARENT_RELATIONS, INSTITUTION, ""]
    )


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _number(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    assert match, f"not found: {pattern}"
    return match.group(1)


def test_a_county_officer_generates_previews_and_downloads_a_recounted_bulletin(
    county, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(county.civil)
    today = timezone.localdate()
    start = quarter_start(today)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/bulletins/new/",
            {
                "area": county.county.code,
                "start": start.isoformat(),
                "end": today.isoformat(),
                "reference": "",
                "template": "auto",
            },
        )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/bulletins/{bulletin.pk}/"
    assert bulletin.status == BulletinStatus.DONE, bulletin.error
    assert bulletin.progress == 100
    assert bulletin.reference_date.isoformat() == f"{today.year - 1}-12-31"
    assert bulletin.template_name == "系统默认模板"
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.BULLETIN_GENERATE, object_id=str(bulletin.pk)
        ).count()
        == 1
    )

    page = client.get(f"/reports/bulletins/{bulletin.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "隆回县农村留守儿童和困境儿童关爱保护工作情况通报" in html
    assert f'<mark class="bg-warning">{PENDING_TEXT}</mark>' in html
    assert "守望镇" in html and "青石镇" in html  # the sub-area table

    download = client.get(f"/reports/bulletins/{bulletin.pk}/download/")
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.BULLETIN_DOWNLOAD).count() == 1
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    text = _text(document)

    active = _active()
    in_difficulty = active.filter(is_in_difficulty=True)
    needed = active.filter(_needs_confirmation())
    signed = needed.filter(confirmation_signed=True)
    expected = {
        r"在册儿童(\d+)人": active.count(),
        r"其中农村留守儿童(\d+)人": active.filter(is_left_behind=True).count(),
        r"困境儿童(\d+)人（生活困境": in_difficulty.count(),
        r"生活困境(\d+)人": active.filter(difficulty_living=True).count(),
        r"自身困境(\d+)人": active.filter(difficulty_self=True).count(),
        r"监护困境(\d+)人": active.filter(difficulty_guardianship=True).count(),
        r"孤儿(\d+)人（集中养育": active.filter(is_orphan=True).count(),
        r"事实无人抚养儿童(\d+)人": active.filter(is_de_facto_unsupported=True).count(),
        r"需签订委托监护责任确认书的儿童(\d+)人": needed.count(),
        r"已签订(\d+)人": signed.count(),
        r"共记录走访(\d+)次": 2,
        r"监护能力薄弱的共(\d+)人": active.exclude(weakness_type="").count(),
        r"①-A类（父母双方重残或重病）(\d+)人": active.filter(
            weakness_type="①-A"
        ).count(),
        r"③-CB类（一方弃养或失联等、一方服刑在押等）(\d+)人": active.filter(
            weakness_type="③-CB"
        ).count(),
        r"共有村（社区）(\d+)个": 3,
        r"已配备儿童主任的(\d+)个": 2,  # make_place's two directors
    }
    for pattern, count in expected.items():
        assert _number(text, pattern) == str(count), pattern
    assert active.count() == 8 and active.filter(weakness_type="①-A").count() == 1
    rate = round(signed.count() * 100 / needed.count(), 1)
    assert f"签订率{rate}%" in text
    # One child registered this quarter: the comparisons say so.
    assert "在册儿童8人，较上期增加1人，增长14.3%" in text
    # Pending figures: never a number, listed at the end with their capability.
    assert f"建立走访记录簿{PENDING_TEXT}本" in text
    assert "附：以下数字系统暂无数据" in text
    assert "走访记录簿（本）：尚无功能记录" in text
    highlighted = [
        run
        for p in document.paragraphs
        for run in p.runs
        if run.text == PENDING_TEXT and run.font.highlight_color is not None
    ]
    assert len(highlighted) == text.count(PENDING_TEXT) - text.count(
        f"“{PENDING_TEXT}”"
    )

    # The table by township, with the county's own figures as the 合计 row.
    table = document.tables[0]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    for township in (county.township, county.other_township):
        here = _active(township.code[:9])
        assert rows[township.name][:3] == [
            str(here.count()),
            str(here.filter(is_left_behind=True).count()),
            str(here.filter(is_in_difficulty=True).count()),
        ]
    assert rows["合计"][:3] == [
        str(active.count()),
        str(active.filter(is_left_behind=True).count()),
        str(in_difficulty.count()),
    ]
    assert rows["合计"][3] == f"{rate}"
