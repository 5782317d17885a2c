"""The outgoing lists page (成员单位名单下载): a member unit's user (or civil affairs)
chooses a purpose and downloads its list of their area (audited)."""

import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from shouwang.accounts import access
from shouwang.web.refusals import run_on_form

from . import outgoing


class OutgoingForm(forms.Form):
    purpose = forms.ChoiceField(
        label="名单用途", error_messages={"required": "请选择名单用途。"}
    )
    full_id = forms.BooleanField(label="导出完整身份号码", required=False)

    def __init__(self, *args, purposes, may_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(p.key, p.label) for p in purposes]
        self.fields["purpose"].error_messages["invalid_choice"] = (
            "请从列出的用途中选择（您所在单位可下载的名单）。"
        )
        if not may_reveal:
            del self.fields["full_id"]


@require_http_methods(["GET", "POST"])
def outgoing_page(request: HttpRequest) -> HttpResponse:
    """The purposes the user may download, each with its columns and how many
    children it holds; POST downloads one (full numbers only with REVEAL_ID)."""
    purposes = outgoing.purposes_for(request.user)
    if not purposes:
        raise PermissionDenied(outgoing.NOT_ALLOWED)
    may_reveal = access.has_perm(request.user, access.Perm.REVEAL_ID)
    form = OutgoingForm(
        request.POST if request.method == "POST" else None,
        purposes=purposes,
        may_reveal=may_reveal,
    )
    today = timezone.localdate()
    if form.is_bound and form.is_valid():
        out = io.BytesIO()
        data = form.cleaned_data
        written = run_on_form(
            form,
            lambda: outgoing.outgoing_write(
                actor=request.user,
                purpose=data["purpose"],
                out=out,
                full_id=data.get("full_id", False),
                as_of=today,
            ),
        )
        if written is not None:
            purpose = outgoing.PURPOSES[data["purpose"]]
            return HttpResponse(
                out.getvalue(),
                content_type=outgoing.XLSX,
                headers={
                    "Content-Disposition": content_disposition_header(
                        True, outgoing.outgoing_filename(purpose, today)
                    )
                },
            )
    rows = [
        (
            p,
            outgoing.outgoing_children_for(
                viewer=request.user, purpose=p, as_of=today
            ).count(),
        )
        for p in purposes
    ]
    return render(
        request,
        "exchange/outgoing.html",
        {"form": form, "rows": rows, "may_reveal": may_reveal},
        status=400 if form.is_bound else 200,
    )
