"""Leak-walker samples: responsibility, 包片 leaders and guardianship confirmations."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from shouwang.registry.models import Child
from shouwang.visits.models import Attachment, GuardianshipConfirmation, PatchLeader

PDF = b"%PDF-1.4\n%leak sample\n"


def seed(world):
    """In each county: the child's responsible director and 包联干部, a signed
    confirmation with a scanned PDF, and a 包片 leader for the village; the foreign
    ones' names are leak markers."""
    today = timezone.localdate()
    for side in ("home", "foreign"):
        child = world.records[f"{side}_child"]
        place = getattr(world, side)
        director = place.users["director"]
        label = "家园" if side == "home" else "泄露标记"
        Child.objects.filter(pk=child.pk).update(
            responsible_director=director,
            liaison_cadre_name=f"{label}包联干部",
            liaison_cadre_phone="13900000000",
            confirmation_signed=True,
            confirmation_date=today - timedelta(days=30),
        )
        confirmation = GuardianshipConfirmation.objects.create(
            child=child,
            village_id=child.village_id,
            signed_on=today - timedelta(days=30),
            valid_until=today + timedelta(days=335),
            entrusting_parties=f"{label}委托父母",
            entrusted_guardian=f"{label}受托监护人",
            committee_signatory=f"{label}村委经办人",
            recorded_by=director,
        )
        scan = Attachment(
            confirmation=confirmation,
            original_name=f"{label}确认书.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            uploaded_by=director,
        )
        scan.file.save("scan.pdf", ContentFile(PDF), save=False)
        scan.save()
        leader = PatchLeader.objects.create(
            area=place.village,
            name=f"{label}包片领导",
            title="副镇长",
            phone="13700000000",
            started_on=today - timedelta(days=100),
            assigned_by=place.users["supervisor"],
        )
        world.records[f"{side}_confirmation"] = confirmation
        world.records[f"{side}_confirmation_scan"] = scan
        world.records[f"{side}_patch_leader"] = leader
    world.mark(
        "泄露标记包联干部",
        "泄露标记委托父母",
        "泄露标记受托监护人",
        "泄露标记村委经办人",
        "泄露标记确认书.pdf",
        "泄露标记包片领导",
    )


def _foreign_child(world):
    return {"pk": world.records["foreign_child"].pk}


def _foreign_child_id(world):
    return {"child_id": world.records["foreign_child"].pk}


FOREIGN_KWARGS = {
    "visits:confirmation-create": _foreign_child,
    "visits:confirmation-form": _foreign_child,
    "api:care-confirmations": _foreign_child_id,
    "api:care-confirmation-record": _foreign_child_id,
}
