"""Leak-walker samples for responsibility letters and community care: in each
county a letter (county ↔ its township, with a scan), a donation to the county's
sample child, a volunteer paired with that child, an activity and a publicity
item; the foreign ones' texts are leak markers."""

from datetime import date

from django.core.files.base import ContentFile

from shouwang.accounts.models import Role
from shouwang.jointwork.models import (
    Activity,
    Donation,
    Pairing,
    PublicityItem,
    ResponsibilityLetter,
    Volunteer,
)
from shouwang.jointwork.vocab import CIVIL_AFFAIRS, ActivityKind, PairingKind
from shouwang.visits.models import attachment_storage

PDF = b"%PDF-1.4\n%leak\n"


def seed(world):
    day = date(2026, 3, 1)
    for side in ("home", "foreign"):
        where = getattr(world, side)
        actor = where.users[Role.CIVIL_AFFAIRS]
        child = world.records[f"{side}_child"]
        scan = attachment_storage().save(
            f"jointwork/letters/leak-{side}.pdf", ContentFile(PDF)
        )
        world.records[f"{side}_letter"] = ResponsibilityLetter.objects.create(
            year=2026,
            area=where.county,
            party_area=where.township,
            signed_on=day,
            scan_name=scan,
            scan_original=f"{side}责任书扫描件标记.pdf",
            created_by=actor,
        )
        donation = Donation.objects.create(
            area=where.county,
            donor=f"{side}捐赠方标记",
            amount=1000,
            donated_on=day,
            purpose=f"{side}捐赠用途标记",
            created_by=actor,
        )
        donation.children.add(child)
        world.records[f"{side}_donation"] = donation
        volunteer = Volunteer.objects.create(
            area=where.county,
            name=f"{side}志愿者标记",
            organisation=f"{side}志愿组织标记",
            phone="13800000000",
            created_by=actor,
        )
        world.records[f"{side}_volunteer"] = volunteer
        world.records[f"{side}_pairing"] = Pairing.objects.create(
            volunteer=volunteer,
            child=child,
            kind=PairingKind.STUDY,
            starts_on=day,
            created_by=actor,
        )
        world.records[f"{side}_activity"] = Activity.objects.create(
            area=where.county,
            title=f"{side}关爱活动标记",
            held_on=day,
            organiser=CIVIL_AFFAIRS,
            kind=ActivityKind.CHILDRENS_DAY,
            participants=30,
            children_reached=20,
            created_by=actor,
        )
        world.records[f"{side}_publicity"] = PublicityItem.objects.create(
            area=where.county,
            kind="宣传手册",
            quantity=100,
            made_on=day,
            note=f"{side}宣传品标记",
            created_by=actor,
        )
    world.mark(
        "foreign责任书扫描件标记.pdf",
        "foreign捐赠方标记",
        "foreign捐赠用途标记",
        "foreign志愿者标记",
        "foreign志愿组织标记",
        "foreign关爱活动标记",
        "foreign宣传品标记",
    )


def _pk(name):
    return lambda world: {"pk": world.records[f"foreign_{name}"].pk}


def _void(kind, name):
    return lambda world: {"kind": kind, "pk": world.records[f"foreign_{name}"].pk}


FOREIGN_KWARGS: dict = {
    "jointwork:letter": _pk("letter"),
    "jointwork:letter-void": _pk("letter"),
    "jointwork:letter-scan": _pk("letter"),
    "jointwork:pairing-card": _pk("pairing"),
    "jointwork:pairing-disclose": _pk("pairing"),
    # One sample per URL name: the donation (the others share the same view).
    "jointwork:care-void": _void("donations", "donation"),
}
