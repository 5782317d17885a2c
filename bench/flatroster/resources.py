"""The django-import-export resource for the flat roster: each model field read from
the template column named by the field's verbose name (the template's header)."""

from django.db import models
from import_export import fields, resources, widgets

from .models import FlatRosterRow


def _column(name: str) -> fields.Field:
    field = FlatRosterRow._meta.get_field(name)
    widget = (
        widgets.DateWidget()
        if isinstance(field, models.DateField)
        else widgets.CharWidget(allow_blank=True)
    )
    return fields.Field(
        attribute=name, column_name=str(field.verbose_name), widget=widget
    )


class FlatRosterResource(resources.ModelResource):
    seq = _column("seq")
    name = _column("name")
    sex = _column("sex")
    ethnicity = _column("ethnicity")
    birth_date = _column("birth_date")
    id_number = _column("id_number")
    hukou_registered = _column("hukou_registered")
    hukou_nature = _column("hukou_nature")
    village_code = _column("village_code")
    address = _column("address")
    health = _column("health")
    disability_category = _column("disability_category")
    disability_grade = _column("disability_grade")
    serious_illness = _column("serious_illness")
    schooling = _column("schooling")
    school = _column("school")
    boarding = _column("boarding")
    father_name = _column("father_name")
    father_id_number = _column("father_id_number")
    father_status = _column("father_status")
    father_work_place = _column("father_work_place")
    father_phone = _column("father_phone")
    mother_name = _column("mother_name")
    mother_id_number = _column("mother_id_number")
    mother_status = _column("mother_status")
    mother_work_place = _column("mother_work_place")
    mother_phone = _column("mother_phone")
    guardian_name = _column("guardian_name")
    guardian_relation = _column("guardian_relation")
    guardian_id_number = _column("guardian_id_number")
    guardian_phone = _column("guardian_phone")
    guardian_capacity = _column("guardian_capacity")
    confirmation_signed = _column("confirmation_signed")
    confirmation_date = _column("confirmation_date")
    family_assistance = _column("family_assistance")
    notes = _column("notes")

    class Meta:
        model = FlatRosterRow
