"""BaseModel: every row records when it was made and when it last changed."""

import pytest

from shouwang.areas.models import Area
from tests.factories import HOME_COUNTY


@pytest.mark.django_db
def test_rows_get_created_and_updated_times():
    area = Area.objects.create(
        code="430524101000", name="桃花镇", level="township", parent_id=HOME_COUNTY
    )
    assert area.created_at is not None
    assert area.updated_at >= area.created_at
    first = area.updated_at

    area.name = "桃洪镇"
    area.save()
    area.refresh_from_db()
    assert area.updated_at > first
    assert area.created_at <= first
