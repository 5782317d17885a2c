"""Bulletins whose worker died: marked failed when the page, the progress poll or
the sweep looks at them, generated again from the page by those who may generate,
audited as a generation is; a worker that lost its bulletin stores nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.core.tests.workers import elsewhere_worker, ended_worker
from shouwang.reports.models import Bulletin, BulletinStatus
from shouwang.reports.services import bulletins as services

from .test_bulletin_views import _reports_in_tmp, client_for, form, generate, place

pytestmark = pytest.mark.django_db
__all__ = ["_reports_in_tmp", "place"]  # fixtures shared with the views' tests

INTERRUPTED = "生成该通报的后台进程意外中断，未生成通报。您可以点击“重新生成”再试一次。"


def _abandoned(bulletin: Bulletin, worker: str, beat_ago=timedelta(0)) -> None:
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status=BulletinStatus.RUNNING,
        progress=40,
        stage="正在统计",
        file="",
        worker=worker,
        heartbeat_at=timezone.now() - beat_ago,
    )


def test_a_dead_workers_bulletin_fails_on_its_page_and_is_generated_again(
    place, django_capture_on_commit_callbacks
):
    client = client_for(place.civil)
    bulletin = generate(
        client, form(place.county.code), django_capture_on_commit_callbacks
    )
    _abandoned(bulletin, ended_worker())

    page = client.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert INTERRUPTED in page
    assert 'data-testid="bulletin-retry">重新生成</button>' in page
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.error) == (BulletinStatus.FAILED, INTERRUPTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/bulletins/{bulletin.pk}/retry/", follow=True)
    assert "已重新排队生成该通报。" in response.content.decode()
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.error, bulletin.progress) == (
        BulletinStatus.DONE,
        "",
        100,
    )
    assert bulletin.file
    generations = AuditEvent.objects.filter(
        action=AuditAction.BULLETIN_GENERATE, object_id=str(bulletin.pk)
    ).order_by("pk")
    assert [event.details.get("retry", False) for event in generations] == [
        False,
        True,
    ]


def test_the_poll_fails_a_stopped_heartbeat_and_leaves_a_beating_one(
    place, settings, django_capture_on_commit_callbacks
):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 120
    client = client_for(place.civil)
    stopped = generate(
        client, form(place.county.code), django_capture_on_commit_callbacks
    )
    beating = generate(
        client, form(place.county.code), django_capture_on_commit_callbacks
    )
    _abandoned(stopped, elsewhere_worker(), beat_ago=timedelta(minutes=3))
    _abandoned(beating, elsewhere_worker(), beat_ago=timedelta(seconds=20))

    polled = client.get(
        f"/reports/bulletins/{stopped.pk}/progress/", HTTP_HX_REQUEST="1"
    )
    assert polled["HX-Refresh"] == "true"
    polled = client.get(
        f"/reports/bulletins/{beating.pk}/progress/", HTTP_HX_REQUEST="1"
    )
    assert "HX-Refresh" not in polled and "正在统计……" in polled.content.decode()
    stopped.refresh_from_db(), beating.refresh_from_db()
    assert (stopped.status, beating.status) == (
        BulletinStatus.FAILED,
        BulletinStatus.RUNNING,
    )


def test_readers_see_no_button_and_are_refused_and_only_failed_ones_retry(
    place, django_capture_on_commit_callbacks
):
    bulletin = generate(
        client_for(place.civil),
        form(place.county.code),
        django_capture_on_commit_callbacks,
    )
    response = client_for(place.civil).post(
        f"/reports/bulletins/{bulletin.pk}/retry/", follow=True
    )
    assert "该通报当前的状态是“已生成”，不需要重新生成。" in response.content.decode()
    _abandoned(bulletin, ended_worker())
    assert services.bulletins_fail_stale() == 1

    leader = client_for(place.leader)
    page = leader.get(f"/reports/bulletins/{bulletin.pk}/").content.decode()
    assert INTERRUPTED in page and "bulletin-retry" not in page
    assert leader.post(f"/reports/bulletins/{bulletin.pk}/retry/").status_code == 403
    assert (
        client_for(place.foreign_civil)
        .post(f"/reports/bulletins/{bulletin.pk}/retry/")
        .status_code
        == 404
    )
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.FAILED


def test_a_worker_that_lost_its_bulletin_stores_nothing(place, monkeypatch):
    bulletin = Bulletin.objects.create(
        area=place.county,
        start=timezone.localdate().replace(day=1),
        end=timezone.localdate(),
        reference_date=timezone.localdate() - timedelta(days=400),
        template_name="系统默认模板",
        requested_by=place.civil,
    )
    generate_document = services.generation.generate

    def and_swept(**kwargs):
        result = generate_document(**kwargs)
        Bulletin.objects.filter(pk=bulletin.pk).update(
            status=BulletinStatus.FAILED, error=INTERRUPTED
        )
        return result

    monkeypatch.setattr(services.generation, "generate", and_swept)
    assert services.bulletin_generate(bulletin_id=bulletin.pk) is None
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.error, bulletin.figures) == (
        BulletinStatus.FAILED,
        INTERRUPTED,
        {},
    )
