"""The responsibility bulletin (责任落实情况通报) through HTTP and the command: two
townships, one better on every rate, ranked with the best and the lagging marked;
the Word document names them; who is refused; a figure the catalogue lacks is "—"."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from docx import Document

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.jointwork.models import (
    Decision,
    Meeting,
    MemberUnit,
    ResponsibilityLetter,
    Task,
)
from shouwang.jointwork.responsibility import NOT_RANKED, SCORE_RULE
from shouwang.jointwork.tests import leak_rank
from shouwang.jointwork.vocab import TaskState
from shouwang.registry.tests.factories import make_place
from shouwang.reports import catalogue
from shouwang.reports.periods import last_quarter

pytestmark = pytest.mark.django_db

URL = "/jointwork/responsibility/"
DOCX_URL = "/jointwork/responsibility/docx/"
FORBIDDEN = "您的角色没有此项操作的权限。"
AREA_MISSING = "区划不存在或不在您的管辖范围内。"


@pytest.fixture
def place():
    """make_place's county: 守望镇 has a supervisor and a director in each of its two
    villages, 青石镇 neither; education did its task on time and signed its letter,
    police let its task run over."""
    place = make_place()
    today = timezone.localdate()
    civil = place.civil
    meeting = Meeting.objects.create(
        area=place.county,
        title="第一次联席会议",
        held_on=today - timedelta(days=20),
        created_by=civil,
    )
    decision = Decision.objects.create(meeting=meeting, number=1, text="开展排查")
    Task.objects.create(
        decision=decision,
        area=place.county,
        unit=Unit.EDUCATION,
        title="排查辍学",
        deadline=today - timedelta(days=2),
        state=TaskState.REPORTED,
        percent=100,
        reported_on=today - timedelta(days=3),
    )
    Task.objects.create(
        decision=decision,
        area=place.county,
        unit=Unit.POLICE,
        title="户籍登记",
        deadline=today - timedelta(days=2),
    )
    MemberUnit.objects.create(area=place.county, unit=Unit.EDUCATION)
    MemberUnit.objects.create(area=place.county, unit=Unit.POLICE)
    ResponsibilityLetter.objects.create(
        year=today.year,
        area=place.county,
        party_unit=Unit.EDUCATION,
        signed_on=today - timedelta(days=10),
        created_by=civil,
    )
    return place


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def period_of(today):
    return {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}


def rows_of(html: str) -> list[tuple[str, str, str, str]]:
    """(code, mark, rank text, score) of each ranked row, in page order."""
    rows = re.findall(
        r'data-testid="rank-row" data-code="([^"]+)" data-mark="([^"]*)">\s*'
        r'<td data-label="名次">(\d+|—).*?data-testid="score">([^<]+)</td>',
        html,
        re.S,
    )
    return rows


def cell(html: str, code: str, metric: str) -> str:
    row = re.search(rf'data-code="{code}".*?</tr>', html, re.S).group(0)
    return re.search(rf'data-metric="{metric}">([^<]*)</td>', row).group(1)


def test_the_better_township_and_unit_rank_first_through_http(place):
    today = timezone.localdate()
    response = client_for(place.civil).get(
        URL, {"area": place.county.code, **period_of(today)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    shouwang, qingshi = place.township.code, place.other_township.code
    assert rows_of(html) == [
        (shouwang, "best", "1", "100.0"),
        (qingshi, "lagging", "2", "0.0"),
        (Unit.EDUCATION, "best", "1", "100.0"),
        (Unit.POLICE, "lagging", "2", "0.0"),
    ]
    assert cell(html, shouwang, "village_coverage") == "100.0%（2/2）"
    assert cell(html, qingshi, "village_coverage") == "0.0%（0/1）"
    assert cell(html, shouwang, "township_coverage") == "100.0%（1/1）"
    assert cell(html, qingshi, "township_coverage") == "0.0%（0/1）"
    assert cell(html, Unit.POLICE, "tasks_overdue") == "100.0%（1/1）"
    assert cell(html, Unit.EDUCATION, "letter_signed") == "已签"
    assert cell(html, Unit.POLICE, "letter_signed") == "未签"
    assert SCORE_RULE in html
    summary = re.search(r'data-testid="summary">([^<]+)<', html).group(1)
    assert summary == (
        "各乡镇（街道）综合得分靠前的是守望镇，靠后的是青石镇；"
        "各成员单位综合得分靠前的是教育，靠后的是公安。"
    )
    # A leader of the county reads it too; without dates it is the last quarter.
    response = client_for(place.leader).get(URL)
    assert response.status_code == 200
    assert f"统计期间：{last_quarter().label}。" in response.content.decode()
    # A date the user got wrong: the form says why.
    response = client_for(place.civil).get(URL, {"from": "2026-13-01"})
    assert response.status_code == 400
    assert "起始日期“2026-13-01”不是有效的日期" in response.content.decode()


def test_the_word_bulletin_names_the_best_and_the_lagging(place, tmp_path):
    today = timezone.localdate()
    query = {"area": place.county.code, **period_of(today)}
    response = client_for(place.civil).get(DOCX_URL, query)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "各乡镇（街道）综合得分靠前的是守望镇，靠后的是青石镇；"
        "各成员单位综合得分靠前的是教育，靠后的是公安。"
    ) in text
    assert "隆回县农村留守儿童和困境儿童关爱保护" in text
    first = [c.text for c in document.tables[0].rows[1].cells]
    assert first[:3] == ["1", "守望镇", "100.0"] and first[-1] == "前三"
    units = [[c.text for c in row.cells] for row in document.tables[1].rows[1:]]
    assert [u[1] for u in units] == ["教育", "公安"]
    event = AuditEvent.objects.get(action=AuditAction.STATS_EXPORT, actor=place.civil)
    assert event.details["document"] == "责任落实情况通报"
    assert event.area_id == place.county.code
    # The command writes the same bulletin.
    out = tmp_path / "通报.docx"
    call_command(
        "responsibility_bulletin",
        "--area",
        place.county.code,
        "--start",
        query["from"],
        "--end",
        query["to"],
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    written = "\n".join(p.text for p in Document(out).paragraphs)
    assert "靠前的是守望镇，靠后的是青石镇" in written


def test_who_is_refused(world):
    leak_rank.seed(world)
    home, foreign = world.home, world.foreign
    for role in (Role.DIRECTOR, Role.DEPARTMENT, Role.SUPERVISOR):
        for url in (URL, DOCX_URL):
            response = client_for(home.users[role]).get(url)
            assert response.status_code == 403, (role, url)
            assert FORBIDDEN in response.content.decode()
    civil = client_for(home.users[Role.CIVIL_AFFAIRS])
    for url in (URL, DOCX_URL):
        response = civil.get(url, {"area": foreign.county.code})
        assert response.status_code == 404
        assert AREA_MISSING in response.content.decode()
        assert foreign.county.name not in response.content.decode()
        response = civil.get(url, {"area": home.township.code})
        assert response.status_code == 404
        assert NOT_RANKED in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.STATS_EXPORT).exists()
    assert Client().get(URL).status_code == 302


def test_a_figure_the_catalogue_lacks_shows_a_dash(place, monkeypatch):
    for key in ("exchange.alerts_handled_on_time", "jointwork.tasks_on_time"):
        monkeypatch.delitem(catalogue.FIGURES, key, raising=False)
    today = timezone.localdate()
    response = client_for(place.civil).get(
        URL, {"area": place.county.code, **period_of(today)}
    )
    html = response.content.decode()
    for township in (place.township, place.other_township):
        assert cell(html, township.code, "alerts_in_time") == "—"
        assert cell(html, township.code, "tasks_on_time") == "—"
    assert cell(html, place.township.code, "village_coverage") == "100.0%（2/2）"
