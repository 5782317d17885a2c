from django import forms
from django.conf import settings


class EnrolmentUploadForm(forms.Form):
    """A school registration list file and the area it covers (default: one's own)."""

    file = forms.FileField(
        label="学籍名单文件",
        help_text=(
            "支持 .xlsx、.xls、.ods、.csv；第1行为表头（姓名、公民身份号码、学籍号、"
            "学校名称、年级、学籍状态，可另加学校所在地区划代码），从第2行起每行一名学生。"
        ),
        error_messages={
            "required": "请选择要上传的学籍名单文件。",
            "empty": "文件是空的：请选择填好的学籍名单文件。",
            "invalid": "没有收到文件：请重新选择学籍名单文件后上传。",
            "missing": "没有收到文件：请重新选择学籍名单文件后上传。",
        },
    )
    area = forms.CharField(
        label="覆盖区划代码",
        required=False,
        max_length=12,
        help_text="12位行政区划代码；不填则为您的管辖区划。",
        error_messages={"max_length": "区划代码应为12位数字。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过了 {limit} MB 的上限："
                "请删除无关的工作表和格式后另存，或拆分成几个文件分别上传。"
            )
        return upload
