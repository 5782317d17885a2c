"""Demo allowances and aid for the demo city, written through the assistance services
as the pages would have written them, each step with the clock at its moment:

- the city's standards for each orphan kind, raised on 1 January of each of the last
  two years (two raises), for the standards page and the bulletin's 救助保障;
- in the demo county, the eligible children's applications as they came over the
  year and twelve approved monthly batches ending last month, with 增员, 减员,
  标准调整 and 补发 (failed bank payments carried), a few eligible children without
  application (应保未保) and one beneficiary no longer eligible (应停未停);
- this year's 福彩圆梦·孤儿助学 (cash, paid) and 寒冬送温暖 (棉衣, delivered);
- foundlings of this year and last (adopted after the notice, raised by the
  institution, parents found, in notice now).

Synthetic data only; each part is loaded once. Audit rows and the children's history
rows take the time the demo is loaded (their own defaults)."""

import csv
import io
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shouwang.accounts.models import User
from shouwang.areas import codes
from shouwang.assistance.models import (
    AccountType,
    AidBeneficiary,
    AidForm,
    AidProgramme,
    AllowanceApplication,
    AllowanceStandard,
    ApplicationStatus,
    BatchStatus,
    BeneficiaryStatus,
    ChangeKind,
    Foundling,
    PaymentBatch,
    PaymentChange,
    PaymentLine,
    PaymentResult,
)
from shouwang.assistance.policy import allowance_eligibility
from shouwang.assistance.selectors import allowance_eligible_list
from shouwang.assistance.selectors_beneficiaries import (
    application_list_for,
    next_month,
    previous_month,
    stop_due,
    unpaid_eligible,
)
from shouwang.assistance.selectors_foundlings import foundlings_by_year
from shouwang.assistance.selectors_programmes import candidates_for
from shouwang.assistance.services import allowance_standard_set
from shouwang.assistance.services_beneficiaries import (
    application_approve,
    application_review,
    application_stop,
    application_submit,
)
from shouwang.assistance.services_foundlings import (
    foundling_register,
    foundling_update,
)
from shouwang.assistance.services_payments import (
    bank_result_import,
    payment_batch_approve,
    payment_batch_generate,
)
from shouwang.assistance.services_programmes import (
    aid_beneficiaries_choose,
    aid_beneficiaries_decide,
    aid_beneficiaries_deliver,
    aid_programme_save,
)
from shouwang.assistance.vocab import AllowanceKind
from shouwang.registry.models import Child
from shouwang.registry.services import child_exit, facts_of
from shouwang.registry.vocab import ExitReason, Schooling

from .city import CITY_CODE, COUNTY_CODES
from .clock import clock

# Each kind's amount (元/人·月) two years ago, last year and this year.
STANDARDS = {
    AllowanceKind.INSTITUTIONAL_ORPHAN: ("1600", "1700", "1800"),
    AllowanceKind.SCATTERED_ORPHAN: ("1100", "1180", "1250"),
}


def demo_standards_load() -> int:
    """Set the city's standards unless it has some; returns how many rows it holds."""
    if not AllowanceStandard.objects.filter(area_id=CITY_CODE).exists():
        actor = User.objects.get(username="demo_minzheng")
        year = timezone.localdate().year
        with transaction.atomic():
            for kind, amounts in STANDARDS.items():
                for years_ago, amount in zip((2, 1, 0), amounts, strict=True):
                    allowance_standard_set(
                        actor=actor,
                        area_code=CITY_CODE,
                        kind=kind,
                        amount=Decimal(amount),
                        effective_from=date(year - years_ago, 1, 1),
                    )
    return AllowanceStandard.objects.filter(area_id=CITY_CODE).count()


# ---- allowances: applications and a year of monthly batches ---------------------

COUNTY = COUNTY_CODES[0]
SEED = 2026
BATCH_MONTHS = 12
UNAPPLIED_EVERY = 12  # one eligible child in 12 has no application (应保未保)
FAILED = {2: 2, 5: 1, 8: 1}  # batch index → payments the bank returned as failed
STOPPED = (  # batch index of the month the child left, exit reason, 停保 reason
    (3, ExitReason.ADOPTED, "儿童已被依法收养，停发基本生活保障金"),
    (7, ExitReason.MOVED_AWAY, "户籍迁出本县，转由迁入地发放"),
)
FAIL_NOTES = ("账户已冻结", "户名与账号不符", "账户已销户")
BANKS = ("隆回县农村商业银行", "中国邮政储蓄银行隆回县支行", "中国农业银行隆回县支行")
# The scanned 养育协议 the township uploads (a tiny PDF; the service keeps it).
AGREEMENT_PDF = "%PDF-1.4\n% 养育协议（演示扫描件）\n%%EOF\n".encode()


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _day_of(month: date, day: int) -> date:
    return month.replace(day=min(day, 28))


class _Timeline:
    """Steps run in the order they happened, each with the clock at its moment."""

    def __init__(self) -> None:
        self.steps: list[tuple[datetime, int, Callable[[], object]]] = []

    def add(self, moment: datetime, step: Callable[[], object]) -> None:
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for moment, _, step in sorted(self.steps, key=lambda s: s[:2]):
            with clock(moment):
                step()


def _users() -> dict[str, User]:
    return {
        key: User.objects.get(username=name)
        for key, name in (
            ("county", "demo_xianminzheng"),
            ("approver", "demo_xianshenpi"),
            ("supervisor", "demo_dudao"),
            ("city", "demo_minzheng"),
        )
    }


def _eligible_on(child: Child, *months: date) -> bool:
    return all(
        allowance_eligibility(
            facts_of(child), month=m, status=child.status, exit_date=child.exit_date
        ).eligible
        for m in months
    )


def _months(today: date) -> list[date]:
    months = [previous_month(today)]
    while len(months) < BATCH_MONTHS:
        months.insert(0, previous_month(months[0]))
    return months


def demo_allowances_load() -> dict[str, int]:
    """Unless the demo county has batches: its eligible children's applications
    (prepared by the township's 督导员 or county civil affairs, approved by the other
    county account) as they came over the year, twelve monthly batches ending last
    month (generated by one, approved by the other, the bank's results imported
    with a few failures), two beneficiaries stopped after leaving the ledger and one
    left to stop (应停未停); a few eligible children are left without application."""
    if PaymentBatch.objects.filter(county_id=COUNTY).exists():
        return demo_allowances_summary()
    users = _users()
    county, approver, supervisor = (
        users["county"],
        users["approver"],
        users["supervisor"],
    )
    today = timezone.localdate()
    months = _months(today)
    rng = random.Random(SEED)
    eligible = allowance_eligible_list(area_code=COUNTY, month=today)
    kinds = {e.child_id: e.kind for e in eligible}
    children = Child.objects.in_bulk(list(kinds))
    timeline = _Timeline()
    apps: dict[int, int] = {}  # child → application
    paid_from_start: list[Child] = []

    def preparer(child: Child) -> User:
        inside = child.village_id.startswith(codes.prefix_of(supervisor.area_id))
        return supervisor if inside else county

    def submit(child: Child, on: date) -> None:
        who = preparer(child)
        values = {
            "guardian_name": child.guardian_name or child.name,
            "guardian_relation": child.guardian_relation,
            "account_type": AccountType.BANK_CARD,
            "account_number": f"6217{child.pk:015d}",
            "bank_name": BANKS[child.pk % len(BANKS)],
            "agreement_signed_on": on,
        }
        scan = SimpleUploadedFile(
            "养育协议.pdf", AGREEMENT_PDF, content_type="application/pdf"
        )
        app = application_submit(actor=who, child_id=child.pk, values=values, scan=scan)
        app = application_review(actor=who, pk=app.pk, expected_version=app.version)
        apps[child.pk] = app.pk

    def approve(child: Child) -> None:
        app = AllowanceApplication.objects.get(pk=apps[child.pk])
        application_approve(actor=approver, pk=app.pk, expected_version=app.version)

    before_first = previous_month(months[0])
    for i, child in enumerate(sorted(children.values(), key=lambda c: c.pk)):
        if i % UNAPPLIED_EVERY == UNAPPLIED_EVERY // 2:
            continue  # 应保未保: nobody applied yet
        registered = timezone.localdate(child.created_at)
        submitted = max(
            registered + timedelta(days=rng.randint(7, 30)),
            _day_of(before_first, rng.randint(2, 12)),
        )
        approved = submitted + timedelta(days=rng.randint(3, 10))
        if submitted >= today or not _eligible_on(child, submitted):
            continue
        timeline.add(_at(submitted, 10), partial(submit, child, submitted))
        if approved >= today or not _eligible_on(child, next_month(approved)):
            continue  # waiting for the county's approval
        timeline.add(_at(approved, 15), partial(approve, child))
        if next_month(approved) == months[0]:
            paid_from_start.append(child)

    def leave(child: Child, reason: str, on: date) -> None:
        child.refresh_from_db()
        child_exit(
            actor=county,
            child_id=child.pk,
            expected_version=child.version,
            reason=reason,
            exit_date=on,
        )

    def stop(child: Child, reason: str, month: date) -> None:
        app = AllowanceApplication.objects.get(pk=apps[child.pk])
        application_stop(
            actor=approver,
            pk=app.pk,
            expected_version=app.version,
            reason=reason,
            month=month,
        )

    leaving = rng.sample(paid_from_start, len(STOPPED) + 1)
    for child, (k, exit_reason, stop_reason) in zip(leaving, STOPPED, strict=False):
        left = _day_of(months[k], 12)
        timeline.add(_at(left, 11), partial(leave, child, exit_reason, left))
        timeline.add(
            _at(_day_of(months[k], 20), 16),
            partial(stop, child, stop_reason, months[k + 1]),
        )
    # 应停未停: left the ledger last month, still on the list.
    left = _day_of(months[-1], 20)
    timeline.add(
        _at(left, 11), partial(leave, leaving[-1], ExitReason.PARENTS_RETURNED, left)
    )

    batches: dict[date, int] = {}

    def generate(month: date) -> None:
        batch = payment_batch_generate(actor=county, county_code=COUNTY, month=month)
        batches[month] = batch.pk

    def approve_batch(month: date) -> None:
        batch = PaymentBatch.objects.get(pk=batches[month])
        payment_batch_approve(
            actor=approver, pk=batch.pk, expected_version=batch.version
        )

    def results(month: date, failures: int) -> None:
        lines = list(
            PaymentLine.objects.filter(batch_id=batches[month])
            .exclude(id_number="")
            .order_by("pk")
            .values_list("name", "id_number", "amount")
        )
        failed = set(rng.sample(range(len(lines)), min(failures, len(lines))))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["姓名", "公民身份号码", "金额", "发放结果", "说明"])
        for n, (name, id_number, amount) in enumerate(lines):
            result = PaymentResult.FAILED if n in failed else PaymentResult.PAID
            note = rng.choice(FAIL_NOTES) if n in failed else ""
            writer.writerow([name, id_number, amount, result, note])
        plan = bank_result_import(
            actor=county,
            pk=batches[month],
            data=out.getvalue().encode(),
            filename=f"回盘{month:%Y%m}.csv",
        )
        if not plan.ok:
            raise RuntimeError(
                f"演示回盘文件有误：{plan.unusable or plan.problems[:3]}"
            )

    for k, month in enumerate(months):
        timeline.add(_at(_day_of(month, 5), 9), partial(generate, month))
        timeline.add(_at(_day_of(month, 6), 10), partial(approve_batch, month))
        timeline.add(
            _at(_day_of(month, 15), 16), partial(results, month, FAILED.get(k, 0))
        )
    with transaction.atomic():
        timeline.run()
    return demo_allowances_summary()


def demo_allowances_summary() -> dict[str, int]:
    """What the demo county's allowance pages show today."""
    viewer = User.objects.get(username="demo_xianminzheng")
    today = timezone.localdate()
    batches = PaymentBatch.objects.filter(county_id=COUNTY)
    changes = PaymentChange.objects.filter(batch__county_id=COUNTY)
    return {
        "批次": batches.filter(status=BatchStatus.APPROVED).count(),
        "保障中": application_list_for(
            viewer=viewer, status=ApplicationStatus.APPROVED
        ).count(),
        "应保未保": len(unpaid_eligible(viewer=viewer, month=today)),
        "应停未停": len(stop_due(viewer=viewer, month=today)),
        **{
            kind.value: changes.filter(kind=kind).count()
            for kind in (
                ChangeKind.ADDED,
                ChangeKind.REMOVED,
                ChangeKind.ADJUSTED,
                ChangeKind.CARRIED,
            )
        },
    }


# ---- aid programmes -------------------------------------------------------------

DREAM = "福彩圆梦·孤儿助学"
WINTER = "寒冬送温暖"
DREAM_SCHOOLING = (Schooling.SENIOR, Schooling.HIGHER)
DREAM_AMOUNTS = {Schooling.SENIOR: Decimal("3000"), Schooling.HIGHER: Decimal("5000")}
DREAM_MAX = 8
WINTER_ITEM_VALUE = Decimal("200")


def _this_year(today: date, share: float) -> date:
    """A day `share` of the way from 1 January to today."""
    start = date(today.year, 1, 1)
    return start + timedelta(days=int((today - start).days * share))


def demo_programmes_load() -> dict[str, int]:
    """Unless they exist: this year's 福彩圆梦·孤儿助学 (the city's, cash; the demo
    county's orphans in 高中 or 高职及以上 chosen by county civil affairs, approved by
    the other county account, paid) and 寒冬送温暖 (the county's, 棉衣 in kind; the
    township's orphans and de facto unsupported children chosen and delivered by its
    督导员, approved by county civil affairs)."""
    if AidProgramme.objects.filter(name__in=[DREAM, WINTER]).exists():
        return demo_programmes_summary()
    users = _users()
    county, approver = users["county"], users["approver"]
    supervisor, city = users["supervisor"], users["city"]
    today = timezone.localdate()
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    timeline = _Timeline()
    made: dict[str, int] = {}

    def setup(name: str, actor: User, values: dict) -> None:
        made[name] = aid_programme_save(actor=actor, values={"name": name, **values}).pk

    def choose_dream() -> None:
        programme = AidProgramme.objects.get(pk=made[DREAM])
        orphans = candidates_for(county, programme, category="orphan").filter(
            schooling__in=DREAM_SCHOOLING
        )[:DREAM_MAX]
        for schooling in DREAM_SCHOOLING:
            chosen = [c.pk for c in orphans if c.schooling == schooling]
            if chosen:
                aid_beneficiaries_choose(
                    actor=county,
                    programme_id=programme.pk,
                    child_ids=chosen,
                    amount=DREAM_AMOUNTS[schooling],
                    reason=f"孤儿，就读{schooling}",
                )

    def choose_winter() -> None:
        programme = AidProgramme.objects.get(pk=made[WINTER])
        children = candidates_for(supervisor, programme).filter(
            Q(is_orphan=True) | Q(is_de_facto_unsupported=True)
        )
        aid_beneficiaries_choose(
            actor=supervisor,
            programme_id=programme.pk,
            child_ids=[c.pk for c in children],
            reason="孤儿、事实无人抚养儿童冬季送温暖",
        )

    def decide(name: str, actor: User) -> None:
        programme_id = made[name]
        rows = AidBeneficiary.objects.filter(programme_id=programme_id)
        aid_beneficiaries_decide(
            actor=actor,
            programme_id=programme_id,
            beneficiary_ids=list(rows.values_list("pk", flat=True)),
            approve=True,
        )

    def deliver(name: str, actor: User, note: str) -> None:
        programme_id = made[name]
        rows = AidBeneficiary.objects.filter(programme_id=programme_id)
        aid_beneficiaries_deliver(
            actor=actor,
            programme_id=programme_id,
            beneficiary_ids=list(rows.values_list("pk", flat=True)),
            delivered_on=timezone.localdate(),
            note=note,
        )

    winter = {
        "area": COUNTY,
        "starts_on": year_start,
        "ends_on": date(today.year, 2, 28),
        "form": AidForm.IN_KIND,
        "item": "棉衣",
        "amount": WINTER_ITEM_VALUE,
        "budget": Decimal("20000"),
        "eligibility_notes": "在册孤儿、事实无人抚养儿童每人一件棉衣。",
    }
    dream = {
        "area": CITY_CODE,
        "starts_on": year_start,
        "ends_on": year_end,
        "form": AidForm.CASH,
        "amount": DREAM_AMOUNTS[Schooling.SENIOR],
        "budget": Decimal("200000"),
        "eligibility_notes": "在读高中（每人3000元）、高职及以上（每人5000元）的孤儿。",
    }
    steps = (
        (0.0, 9, partial(setup, WINTER, county, winter)),
        (0.02, 10, choose_winter),
        (0.04, 11, partial(decide, WINTER, county)),
        (0.06, 14, partial(deliver, WINTER, supervisor, "棉衣已送到儿童本人")),
        (0.5, 9, partial(setup, DREAM, city, dream)),
        (0.6, 10, choose_dream),
        (0.7, 11, partial(decide, DREAM, approver)),
        (0.8, 14, partial(deliver, DREAM, county, "已打卡发放")),
    )
    for share, hour, step in steps:
        timeline.add(_at(_this_year(today, share), hour), step)
    with transaction.atomic():
        timeline.run()
    return demo_programmes_summary()


def demo_programmes_summary() -> dict[str, int]:
    """Beneficiaries recorded as paid or delivered in each demo programme."""
    rows = AidBeneficiary.objects.filter(status=BeneficiaryStatus.DELIVERED)
    return {name: rows.filter(programme__name=name).count() for name in (DREAM, WINTER)}


# ---- foundlings -----------------------------------------------------------------

INSTITUTION_NAME = "隆回县儿童福利院"


def _foundlings(today: date) -> list[tuple[dict, dict | None, date]]:
    """Each foundling's registration, its later edit (or None) and the edit's day."""
    last = today.year - 1
    notice = "邵阳日报"
    found = max(date(today.year, 1, 1), today - timedelta(days=20))
    parents = max(date(today.year, 1, 1), today - timedelta(days=90))

    def entry(n, on, sex, born_days, place, **more) -> dict:
        return {
            "name": f"隆福{n}",
            "found_on": on,
            "found_place": place,
            "certificate_number": f"隆公捡字〔{on.year}〕{n:03d}号",
            "sex": sex,
            "estimated_birth_date": on - timedelta(days=born_days),
            "health": "健康",
            **more,
        }

    adopted = entry(
        1, date(last, 3, 3), "女", 10, "桃洪镇汽车站候车室", notice_medium=notice
    )
    adopted |= {
        "notice_starts_on": date(last, 3, 10),
        "institution": INSTITUTION_NAME,
        "admitted_on": date(last, 3, 4),
    }
    raised = entry(2, date(last, 10, 12), "男", 40, "六都寨镇卫生院门口")
    raised |= {
        "health": "先天性心脏病，已手术",
        "notice_starts_on": date(last, 10, 15),
        "notice_medium": notice,
        "institution": INSTITUTION_NAME,
        "admitted_on": date(last, 10, 12),
    }
    returned = entry(3, parents, "男", 120, "城关镇菜市场")
    waiting = entry(4, found, "女", 7, "金石桥镇村道旁")
    waiting |= {
        "notice_starts_on": min(found + timedelta(days=2), today),
        "notice_medium": notice,
        "institution": INSTITUTION_NAME,
        "admitted_on": found,
    }
    return [
        (
            adopted,
            {"outcome": "被收养", "outcome_on": date(last, 9, 20)},
            date(last, 9, 20),
        ),
        (
            raised,
            {"outcome": "机构养育", "outcome_on": date(last, 12, 20)},
            date(last, 12, 20),
        ),
        (
            returned,
            {
                "outcome": "寻回父母",
                "outcome_on": min(parents + timedelta(days=3), today),
            },
            min(parents + timedelta(days=3), today),
        ),
        (waiting, None, today),
    ]


def demo_foundlings_load() -> dict[int, int]:
    """Unless the demo county has some: foundlings registered by county civil affairs
    last year (one adopted after the 60-day notice, one raised by the institution)
    and this year (one whose parents were found, one in notice now)."""
    if not Foundling.objects.filter(county_id=COUNTY).exists():
        county = User.objects.get(username="demo_xianminzheng")
        timeline = _Timeline()
        for values, outcome, decided in _foundlings(timezone.localdate()):

            def register(values=values, outcome=outcome, decided=decided) -> None:
                foundling = foundling_register(actor=county, values=values)
                if outcome is not None:
                    with clock(_at(decided, 15)):
                        foundling_update(
                            actor=county,
                            foundling_id=foundling.pk,
                            expected_version=foundling.version,
                            values=values | outcome,
                        )

            # Registered once the notice is out (the register asks for it).
            days = [v for v in values.values() if isinstance(v, date)]
            timeline.add(_at(max(days), 17), register)
        with transaction.atomic():
            timeline.run()
    return demo_foundlings_summary()


def demo_foundlings_summary() -> dict[int, int]:
    """The demo county's foundlings of this year and last (by the day found)."""
    year = timezone.localdate().year
    return {y: foundlings_by_year(codes.prefix_of(COUNTY), y) for y in (year - 1, year)}
