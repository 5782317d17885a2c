"""A service's refusal shown on the form that asked for it: every message on its field
(the rest on top of the form), a record not found (or not the user's) as a 404."""

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.http import Http404

from shouwang.core.exceptions import DomainError, InvalidValues, NotFound

T = TypeVar("T")


def add_problems(form: forms.Form, problems: Mapping[str, list[str]]) -> None:
    """Messages by field from a service (InvalidValues); unknown fields on top."""
    for field, messages in problems.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def add_refusal(form: forms.Form, error: DomainError) -> None:
    """A refusal on the form: each message on its field, the rest on top."""
    if isinstance(error, InvalidValues):
        add_problems(form, error.problems)
    else:
        form.add_error(error.field if error.field in form.fields else None, str(error))


def run_on_form(form: forms.Form, call: Callable[[], T]) -> T | None:
    """The service's result, or None with its refusal on the form; NotFound → 404."""
    try:
        return call()
    except NotFound as error:
        raise Http404(str(error)) from None
    except DomainError as error:
        add_refusal(form, error)
        return None


class RefusalsForm(forms.Form):
    """A form that shows a service's messages on its fields (form.add_problems)."""

    def add_problems(self, problems: Mapping[str, list[str]]) -> None:
        add_problems(self, problems)
