"""API tokens: created by civil affairs and shown once, kept as a digest, revoked,
refused when unknown, revoked or expired; the tokens page and its denied paths."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.audit.models import AuditAction, AuditEvent
from shouwang.exchange import tokens
from shouwang.exchange.models import ApiToken
from shouwang.registry.tests.factories import make_place
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TODAY_IS_LIVE = True
PAGE = reverse("exchange:tokens")


@pytest.fixture
def place():
    return make_place()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(place, **overrides) -> dict:
    return {
        "name": "县司法局社区矫正系统",
        "unit": Unit.JUSTICE,
        "area": "",
        "kinds": ["prison", "rehab"],
        "expires_on": (TODAY + timedelta(days=180)).isoformat(),
        **overrides,
    }


def _create(place, **overrides):
    fields = {
        "actor": place.civil,
        "name": "县公安局人口系统",
        "unit": Unit.POLICE,
        "area": place.county,
        "kinds": ["death"],
        "expires_on": TODAY + timedelta(days=30),
        **overrides,
    }
    return tokens.token_create(**fields)


def test_civil_affairs_creates_a_token_and_sees_its_key_once(place):
    browser = _client(place.civil)
    answer = browser.post(PAGE, _form(place))

    assert answer.status_code == 201
    token = ApiToken.objects.get()
    key = answer.context["key"]
    page = answer.content.decode()
    assert key.startswith("sw_") and len(key) > 40
    assert f'value="{key}"' in page
    assert "离开本页后无法再次查看" in page
    # Only the digest and the first 8 characters are kept.
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert (token.area, token.unit, token.kinds) == (
        place.county,
        Unit.JUSTICE,
        ["prison", "rehab"],
    )
    assert timezone.localtime(token.expires_at).date() == TODAY + timedelta(days=180)
    assert not ApiToken.objects.filter(digest__contains=key[8:20]).exists()
    event = AuditEvent.objects.get(action=AuditAction.EXCHANGE_TOKEN)
    assert (event.actor, event.details["operation"]) == (place.civil, "create")
    assert key not in str(event.details)

    again = browser.get(PAGE).content.decode()
    assert key not in again
    assert "县司法局社区矫正系统" in again and f"{token.prefix}…" in again
    assert tokens.token_authenticate(key) == token


def test_the_form_refuses_an_area_outside_a_long_expiry_and_no_kinds(place):
    browser = _client(place.civil)
    foreign = browser.post(PAGE, _form(place, area=place.foreign_county.code))
    assert foreign.status_code == 400
    assert (
        f"{place.foreign_county.name}（{place.foreign_county.code}）不在您的管辖范围内："
        "只能为本级及下级区划创建令牌。"
    ) in foreign.content.decode()

    last = tokens.latest_expiry(TODAY)
    too_long = browser.post(
        PAGE, _form(place, expires_on=(last + timedelta(days=1)).isoformat())
    )
    assert f"有效期最长一年：请填写 {last:%Y-%m-%d} 或更早的日期。" in (
        too_long.content.decode()
    )
    past = browser.post(PAGE, _form(place, expires_on=TODAY.isoformat()))
    assert "有效期至应晚于今天。" in past.content.decode()
    none = browser.post(PAGE, {**_form(place), "kinds": []})
    assert "请至少选择一种可报送的名单类型。" in none.content.decode()
    assert not ApiToken.objects.exists()

    with pytest.raises(tokens.DomainError, match="不认识的名单类型：bogus。"):
        _create(place, kinds=["bogus"])


def test_a_city_officer_creates_one_for_a_county_inside_theirs(place):
    city = make_user(Role.CIVIL_AFFAIRS, place.county.parent, username="shi_minzheng")
    token, _ = _create(place, actor=city, area=place.county.code)
    assert token.area == place.county
    assert list(tokens.token_list_for(viewer=place.civil)) == [token]
    assert list(tokens.token_list_for(viewer=place.foreign_civil)) == []


@pytest.mark.parametrize("who", ["director", "supervisor", "department", "leader"])
def test_only_civil_affairs_reach_the_tokens_page(place, who):
    token, _ = _create(place)
    browser = _client(getattr(place, who))
    assert browser.get(PAGE).status_code == 403
    assert browser.post(PAGE, _form(place)).status_code == 403
    revoke = reverse("exchange:token-revoke", kwargs={"pk": token.pk})
    assert browser.post(revoke).status_code == 403
    assert ApiToken.objects.get().revoked_at is None
    with pytest.raises(tokens.DomainError, match=tokens.NOT_ALLOWED):
        _create(place, actor=getattr(place, who))


def test_revoking_stops_the_key_and_is_audited(place):
    token, key = _create(place)
    foreign = _client(place.foreign_civil)
    revoke = reverse("exchange:token-revoke", kwargs={"pk": token.pk})
    assert foreign.post(revoke).status_code == 404
    assert foreign.get(revoke).status_code == 405

    browser = _client(place.civil)
    answer = browser.post(revoke, follow=True)
    assert f"已吊销令牌“县公安局人口系统”（{token.prefix}…），该令牌不能再使用。" in (
        answer.content.decode()
    )
    token.refresh_from_db()
    assert token.revoked_by == place.civil
    assert "已吊销" in answer.content.decode()
    again = browser.post(revoke, follow=True).content.decode()
    assert (
        f"令牌“县公安局人口系统”已于 {timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M} 吊销。"
        in again
    )
    operations = list(
        AuditEvent.objects.filter(action=AuditAction.EXCHANGE_TOKEN)
        .order_by("id")
        .values_list("details__operation", flat=True)
    )
    assert operations == ["create", "revoke"]

    with pytest.raises(tokens.TokenRejected) as refused:
        tokens.token_authenticate(key)
    assert refused.value.message == (
        f"接口令牌已于 {timezone.localtime(token.revoked_at):%Y-%m-%d} 吊销，"
        "不能再使用：请联系县级民政部门重新创建令牌。"
    )


def test_unknown_and_expired_keys_are_refused_with_their_reason(place):
    token, key = _create(place)
    with pytest.raises(tokens.TokenRejected) as unknown:
        tokens.token_authenticate(key[:-2] + "xx")
    assert unknown.value.message == (
        "接口令牌无效：请核对令牌是否完整复制；令牌遗失的，请联系县级民政部门重新创建令牌。"
    )
    later = token.expires_at + timedelta(seconds=1)
    with pytest.raises(tokens.TokenRejected) as expired:
        tokens.token_authenticate(key, now=later)
    assert expired.value.reason == "expired"
    assert expired.value.message == (
        f"接口令牌已于 {timezone.localtime(token.expires_at):%Y-%m-%d} 过期："
        "请联系县级民政部门重新创建令牌。"
    )
