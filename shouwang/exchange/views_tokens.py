"""The API tokens page for civil affairs (接口令牌): the tokens of their jurisdiction,
the form that creates one (its key shown on the answer, once), and revoking."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shouwang.accounts.models import Unit
from shouwang.core.exceptions import DomainError, NotFound
from shouwang.web.refusals import RefusalsForm, add_refusal

from . import tokens
from .vocab import ListKind

NOT_ALLOWED = tokens.NOT_ALLOWED
ROWS_SHOWN = 200


class TokenForm(RefusalsForm):
    name = forms.CharField(
        label="系统名称",
        max_length=tokens.NAME_LIMIT,
        help_text="使用该令牌的业务系统，如“县公安局人口信息系统”。",
    )
    unit = forms.ChoiceField(label="成员单位", choices=[("", "请选择"), *Unit.choices])
    area = forms.CharField(
        label="适用地区代码",
        required=False,
        max_length=12,
        help_text="不填为您的管辖区划；也可填下级区划的 12 位代码。",
    )
    kinds = forms.MultipleChoiceField(
        label="可报送的名单类型",
        choices=ListKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "请至少选择一种可报送的名单类型。"},
    )
    expires_on = forms.DateField(
        label="有效期至",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="最长一年；到期后需重新创建。",
        error_messages={"invalid": "请填写日期，如 2027-06-30。"},
    )


def _page(request: HttpRequest, form: TokenForm, *, created=None, key="", status=200):
    labels = dict(ListKind.choices)
    rows = list(tokens.token_list_for(viewer=request.user)[:ROWS_SHOWN])
    for row in rows:
        row.kind_labels = "、".join(labels.get(k, k) for k in row.kinds)
    return render(
        request,
        "exchange/tokens.html",
        {
            "form": form,
            "tokens": rows,
            "created": created,
            "key": key,
            "now": timezone.now(),
        },
        status=status,
    )


def token_page(request: HttpRequest) -> HttpResponse:
    """GET: the tokens and the form; POST: create one and show its key this once."""
    user = request.user
    if not tokens.may_manage_tokens(user):
        raise PermissionDenied(NOT_ALLOWED)
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        token, key = tokens.token_create(
            actor=user,
            name=data["name"],
            unit=data["unit"],
            area=data["area"].strip() or user.area_id,
            kinds=data["kinds"],
            expires_on=data["expires_on"],
        )
    except DomainError as error:
        add_refusal(form, error)
        return _page(request, form, status=400)
    return _page(request, TokenForm(), created=token, key=key, status=201)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not tokens.may_manage_tokens(request.user):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        token = tokens.token_revoke(actor=request.user, token_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"已吊销令牌“{token.name}”（{token.prefix}…），该令牌不能再使用。"
        )
    return redirect("exchange:tokens")
