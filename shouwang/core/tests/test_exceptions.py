"""Domain exceptions carry the Chinese message a person reads, and the field at fault."""

from shouwang.core.exceptions import DomainError, NotFound


def test_a_domain_error_names_message_and_field():
    error = DomainError("请选择管辖区划。", field="area")
    assert error.message == str(error) == "请选择管辖区划。"
    assert error.field == "area"
    assert DomainError("不能停用自己的账号。").field is None


def test_not_found_says_missing_or_not_yours_alike():
    error = NotFound()
    assert isinstance(error, DomainError)
    assert error.message == "记录不存在或不在您的管辖范围内。"
    assert error.field is None
