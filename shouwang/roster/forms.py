from django import forms
from django.conf import settings


class UploadForm(forms.Form):
    """A roster file: its content decides the type (the reader says what is wrong)."""

    file = forms.FileField(
        label="花名册文件",
        help_text="支持 .xlsx、.xls、.ods、.csv；第1行为表头，从第2行起每行一名儿童。",
        error_messages={
            "required": "请选择要上传的花名册文件。",
            "empty": "文件是空的：请选择填好的花名册文件。",
            "invalid": "没有收到文件：请重新选择花名册文件后上传。",
            "missing": "没有收到文件：请重新选择花名册文件后上传。",
        },
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


class CommitForm(forms.Form):
    partial = forms.BooleanField(required=False)
