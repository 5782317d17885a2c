"""The roster as one flat table: every template column as text or a date, no checks.

What a Django team gets by pointing django-import-export at the template: the
comparison bench/roster_import.py measures the product's importer against.
"""

from django.db import models


class FlatRosterRow(models.Model):
    seq = models.CharField("序号", max_length=20, blank=True)
    name = models.CharField("姓名", max_length=30, blank=True)
    sex = models.CharField("性别", max_length=10, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    hukou_registered = models.CharField("户口登记状况", max_length=10, blank=True)
    hukou_nature = models.CharField("户籍性质", max_length=10, blank=True)
    village_code = models.CharField("户籍地行政区划代码", max_length=12, blank=True)
    address = models.CharField("现居住地址", max_length=200, blank=True)
    health = models.CharField("健康状况", max_length=10, blank=True)
    disability_category = models.CharField("残疾类别", max_length=10, blank=True)
    disability_grade = models.CharField("残疾等级", max_length=10, blank=True)
    serious_illness = models.CharField("是否重病", max_length=10, blank=True)
    schooling = models.CharField("就学状况", max_length=20, blank=True)
    school = models.CharField("学校名称", max_length=100, blank=True)
    boarding = models.CharField("是否寄宿", max_length=10, blank=True)
    father_name = models.CharField("父亲姓名", max_length=30, blank=True)
    father_id_number = models.CharField("父亲公民身份号码", max_length=18, blank=True)
    father_status = models.CharField("父亲状况", max_length=20, blank=True)
    father_work_place = models.CharField("父亲务工地", max_length=100, blank=True)
    father_phone = models.CharField("父亲联系电话", max_length=20, blank=True)
    mother_name = models.CharField("母亲姓名", max_length=30, blank=True)
    mother_id_number = models.CharField("母亲公民身份号码", max_length=18, blank=True)
    mother_status = models.CharField("母亲状况", max_length=20, blank=True)
    mother_work_place = models.CharField("母亲务工地", max_length=100, blank=True)
    mother_phone = models.CharField("母亲联系电话", max_length=20, blank=True)
    guardian_name = models.CharField("实际监护人姓名", max_length=30, blank=True)
    guardian_relation = models.CharField("监护人与儿童关系", max_length=20, blank=True)
    guardian_id_number = models.CharField(
        "监护人公民身份号码", max_length=18, blank=True
    )
    guardian_phone = models.CharField("监护人联系电话", max_length=20, blank=True)
    guardian_capacity = models.CharField("监护能力评估", max_length=10, blank=True)
    confirmation_signed = models.CharField(
        "是否签订委托监护责任确认书", max_length=10, blank=True
    )
    confirmation_date = models.DateField("确认书签订日期", null=True, blank=True)
    family_assistance = models.CharField("家庭救助帮扶情况", max_length=100, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "花名册行（平表）"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.seq} {self.name}"
