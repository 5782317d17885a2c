"""Leak-walker samples: visits and their attachments."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from shouwang.visits.models import Attachment
from shouwang.visits.tests.factories import make_visit

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def seed(world):
    """A visit with a photo for each county's child; the foreign one's notes are
    leak markers."""
    for side in ("home", "foreign"):
        child = world.records[f"{side}_child"]
        user = getattr(world, side).users["director"]
        visit = make_visit(
            child,
            visit_date=timezone.localdate() - timedelta(days=3),
            recorded_by=user,
            problems=f"{side}走访问题标记",
        )
        attachment = Attachment(
            visit=visit,
            original_name=f"{side}照片.png",
            content_type="image/png",
            size=len(PNG),
            sha256="0" * 64,
            uploaded_by=user,
        )
        attachment.file.save("photo.png", ContentFile(PNG), save=False)
        attachment.save()
        world.records[f"{side}_visit"] = visit
        world.records[f"{side}_attachment"] = attachment
    world.mark("foreign走访问题标记")


FOREIGN_KWARGS = {
    "visits:attachment": lambda w: {"pk": w.records["foreign_attachment"].pk},
    "visits:visit-detail": lambda w: {"pk": w.records["foreign_visit"].pk},
    "visits:visit-print": lambda w: {"pk": w.records["foreign_visit"].pk},
    "visits:child-visits": lambda w: {"pk": w.records["foreign_child"].pk},
    "visits:visit-create": lambda w: {"pk": w.records["foreign_child"].pk},
    "api:visit-list": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:visit-record": lambda w: {"child_id": w.records["foreign_child"].pk},
    "api:visit-detail": lambda w: {"visit_id": w.records["foreign_visit"].pk},
}
