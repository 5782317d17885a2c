"""Load the nation's provinces, cities and counties shipped in areas/data/divisions.csv."""

from pathlib import Path

from django.db import migrations

from shouwang.areas import codes
from shouwang.areas.services import areas_parse

DATA = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"


def load(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    stored = dict(Area.objects.values_list("code", "name"))
    report = areas_parse(DATA.read_text(encoding="utf-8"), stored=stored)
    if report.errors:
        raise RuntimeError(
            "divisions.csv is invalid: " + "; ".join(report.messages[:5])
        )
    rows = sorted(report.rows, key=lambda r: codes.LEVEL_DIGITS[codes.level_of(r.code)])
    Area.objects.bulk_create(
        [
            Area(
                code=r.code,
                name=r.name,
                level=codes.level_of(r.code),
                parent_id=r.parent_code,
            )
            for r in rows
            if r.code not in stored
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
