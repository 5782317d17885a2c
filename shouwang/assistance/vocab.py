"""The closed vocabularies of allowances and aid (救助保障), Chinese terms as values."""

from django.db import models


class AllowanceKind(models.TextChoices):
    """Who a monthly basic living allowance is paid to, each kind with its standard."""

    INSTITUTIONAL_ORPHAN = "集中养育孤儿", "集中养育孤儿"
    SCATTERED_ORPHAN = "社会散居孤儿", "社会散居孤儿"
    DE_FACTO_UNSUPPORTED = "事实无人抚养儿童", "事实无人抚养儿童"
