"""Leak-walker samples for the exchange API tokens (merged by leak_samples.py): a
token in each county, and a list the foreign county's token sent; the foreign token's
name and the list's file name are leak markers."""

from django.utils import timezone

from shouwang.accounts.models import Role, Unit
from shouwang.exchange import tokens
from shouwang.exchange.models import DepartmentList
from shouwang.exchange.vocab import ListKind


def seed(world):
    today = timezone.localdate()
    for side in ("home", "foreign"):
        where = getattr(world, side)
        token, key = tokens.token_create(
            actor=where.users[Role.CIVIL_AFFAIRS],
            name=f"{side}令牌标记系统",
            unit=Unit.JUSTICE,
            area=where.county,
            kinds=[ListKind.PRISON],
            expires_on=tokens.latest_expiry(today),
        )
        world.records[f"{side}_api_token"] = token
        world.records[f"{side}_api_key"] = key
        world.records[f"{side}_api_list"] = DepartmentList.objects.create(
            kind=ListKind.PRISON,
            area=where.county,
            unit=Unit.JUSTICE,
            source=token.name,
            listed_on=today,
            uploaded_by=where.users[Role.CIVIL_AFFAIRS],
            token=token,
            original_name=f"{side}接口名单标记.csv",
            sha256="0" * 64,
        )
    world.mark("foreign令牌标记系统", "foreign接口名单标记.csv")


def _foreign_token(world):
    return {"pk": world.records["foreign_api_token"].pk}


def _foreign_list(world):
    return {"list_id": world.records["foreign_api_list"].pk}


FOREIGN_KWARGS: dict = {
    "exchange:token-revoke": _foreign_token,
    "exchange-api:list-result": _foreign_list,
}
