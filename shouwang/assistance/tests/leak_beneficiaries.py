"""Leak-walker samples for beneficiaries and payments: in each county the registry's
sample child as a beneficiary (with a 养育协议 scan) and an approved batch paying them;
the foreign guardian, bank and account are leak markers."""

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from shouwang.assistance.models import (
    AllowanceApplication,
    AllowanceStandard,
    PaymentBatch,
    PaymentChange,
    PaymentLine,
)

ACCOUNTS = {"home": "6222020000001111", "foreign": "6222029999997777"}


def seed(world):
    for side in ("home", "foreign"):
        county = getattr(world, side).county
        civil = getattr(world, side).users["civil_affairs"]
        child = world.records[f"{side}_child"]  # registry's sample child
        app = AllowanceApplication(
            child=child,
            village_id=child.village_id,
            kind="社会散居孤儿",
            status="保障中",
            guardian_name=f"{side}领取人标记",
            account_type="银行卡",
            account_number=ACCOUNTS[side],
            bank_name=f"{side}开户行标记",
            agreement_signed_on=date(2026, 1, 5),
            agreement_scan_name="养育协议.pdf",
            agreement_scan_type="application/pdf",
            prepared_by=civil,
            approved_by=civil,
            start_month=date(2026, 2, 1),
        )
        app.agreement_scan.save("养育协议.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        app.save()
        standard = AllowanceStandard.objects.create(
            area=county,
            kind="社会散居孤儿",
            amount=Decimal("1200.00"),
            effective_from=date(2026, 1, 1),
            created_by=civil,
        )
        batch = PaymentBatch.objects.create(
            county=county,
            month=date(2026, 2, 1),
            status="已审批",
            count=1,
            total=Decimal("1200.00"),
            generated_by=civil,
            approved_by=civil,
        )
        PaymentLine.objects.create(
            batch=batch,
            application=app,
            child=child,
            village_code=child.village_id,
            name=child.name,
            id_number=child.id_number or "",
            kind="社会散居孤儿",
            account_type="银行卡",
            account_number=ACCOUNTS[side],
            bank_name=f"{side}开户行标记",
            standard_amount=Decimal("1200.00"),
            amount=Decimal("1200.00"),
            standard=standard,
        )
        PaymentChange.objects.create(
            batch=batch,
            child=child,
            name=child.name,
            kind="增员",
            amount_after=Decimal("1200.00"),
            reason=f"{side}变化原因标记",
        )
        world.records[f"{side}_allowance_application"] = app
        world.records[f"{side}_payment_batch"] = batch
    world.mark(
        "foreign领取人标记",
        "foreign开户行标记",
        "foreign变化原因标记",
        ACCOUNTS["foreign"],
    )


def _foreign_application(world):
    return {"pk": world.records["foreign_allowance_application"].pk}


def _foreign_child(world):
    return {"child_id": world.records["foreign_child"].pk}


def _foreign_batch(world):
    return {"pk": world.records["foreign_payment_batch"].pk}


FOREIGN_KWARGS: dict = {
    "assistance:application-new": _foreign_child,
    "assistance:application-detail": _foreign_application,
    "assistance:application-edit": _foreign_application,
    "assistance:application-reveal": _foreign_application,
    "assistance:application-agreement": _foreign_application,
    "assistance:application-review": _foreign_application,
    "assistance:application-approve": _foreign_application,
    "assistance:application-return": _foreign_application,
    "assistance:application-stop": _foreign_application,
    "assistance:batch-detail": _foreign_batch,
    "assistance:batch-approve": _foreign_batch,
    "assistance:batch-bank-file": _foreign_batch,
    "assistance:batch-results": _foreign_batch,
}
