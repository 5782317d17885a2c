from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login.failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    PASSWORD_CHANGE = "password.change", "修改密码"
    USER_CREATE = "user.create", "创建账号"
    USER_UPDATE = "user.update", "修改账号"
    USER_PASSWORD_RESET = "user.password_reset", "重置密码"
    USER_DEACTIVATE = "user.deactivate", "停用账号"
    USER_ACTIVATE = "user.activate", "启用账号"
    AREAS_LOAD = "areas.load", "导入行政区划"
    AUDIT_EXPORT = "audit.export", "导出审计日志"
    CHILD_CREATE = "child.create", "登记儿童"
    CHILD_UPDATE = "child.update", "修改儿童信息"
    CHILD_VIEW = "child.view", "查看儿童完整记录"
    CHILD_REVEAL_ID = "child.reveal_id", "查看完整身份号码"
    CHILD_EXIT = "child.exit", "儿童退出"
    CHILD_READMIT = "child.readmit", "儿童重新纳入"
    CHILD_MERGE = "child.merge", "合并重复记录"
    CHILD_DUPLICATE_DISMISS = "child.duplicate_dismiss", "确认不是同一名儿童"
    ROSTER_IMPORT = "roster.import", "导入花名册"
    ROSTER_EXPORT = "roster.export", "导出花名册"
    ROSTER_UPLOAD = "roster.upload", "上传花名册"
    ROSTER_DOWNLOAD = "roster.download", "下载花名册文件"
    CHILD_EXIT_REVIEW_KEEP = "child.exit_review_keep", "复核后保留在册"
    VISIT_POLICY_SET = "visit_policy.set", "设置走访间隔"
    VISIT_RECORD = "visit.record", "记录走访"
    ATTACHMENT_DOWNLOAD = "attachment.download", "查看附件"
    RESPONSIBILITY_ASSIGN = "responsibility.assign", "调整责任人"
    PATCH_LEADER_SET = "patch_leader.set", "指定包片领导"
    CONFIRMATION_RECORD = "confirmation.record", "记录委托监护责任确认书"
    CYCLE_OPEN = "cycle.open", "发起季度摸排"
    CYCLE_CHILD_CONFIRM = "cycle.child_confirm", "摸排确认儿童"
    CYCLE_VILLAGE_SUBMIT = "cycle.village_submit", "提交村摸排"
    CYCLE_VILLAGE_APPROVE = "cycle.village_approve", "审核通过村摸排"
    CYCLE_VILLAGE_RETURN = "cycle.village_return", "退回村摸排"
    CYCLE_CLOSE = "cycle.close", "结束季度摸排"
    BULLETIN_GENERATE = "bulletin.generate", "生成工作情况通报"
    BULLETIN_DOWNLOAD = "bulletin.download", "下载工作情况通报"
    BULLETIN_TEMPLATE_UPLOAD = "bulletin_template.upload", "上传通报模板"
    BULLETIN_TEMPLATE_RETIRE = "bulletin_template.retire", "停用通报模板"
    STATS_EXPORT = "stats.export", "导出统计表"
    STATS_RECOMPUTE = "stats.recompute", "重新计算统计快照"
    VISIT_VIEW = "visit.view", "查看走访记录"
    VISIT_LIST = "visit.list", "查看走访记录列表"
    CYCLE_REVIEW_VIEW = "cycle.review_view", "查看村摸排"
    CHILD_SEARCH_ID = "child.search_id", "按身份号码查找儿童"
    ACCESS_REFUSED = "access.refused", "访问管辖范围外的记录被拒绝"
    LOGIN_UNLOCK = "login.unlock", "解除登录锁定"
    CONFIRMATION_FORM_DOWNLOAD = (
        "confirmation.form_download",
        "下载委托监护责任确认书（待签字）",
    )
    CASE_REPORT = "case.report", "提交强制报告"
    CASE_VIEW = "case.view", "查看保护案件"
    CASE_UPDATE = "case.update", "办理保护案件"
    REFERRAL_UPDATE = "referral.update", "办理转介"
    CASE_BREAK_GLASS = "case.break_glass", "紧急查看保护案件"
    CASE_GLASS_REVIEW = "case.glass_review", "复核紧急查看"
    CASE_DOCUMENT = "case.document", "下载保护案件文书"
    PROTECTION_SETTINGS = "protection.settings", "设置保护工作时限与专岗"
    ENROLMENT_IMPORT = "enrolment.import", "导入学籍名单"
    DROPOUT_UPDATE = "dropout.update", "办理辍学登记"
    SUSPECT_CLEAR = "schooling.suspect_clear", "排除疑似失学辍学"
    ALLOWANCE_STANDARD_SET = "allowance_standard.set", "设置基本生活保障标准"
    AID_PROGRAMME_SAVE = "aid_programme.save", "保存救助项目"
    AID_BENEFICIARY_UPDATE = "aid_beneficiary.update", "办理救助项目受助对象"
    FOUNDLING_SAVE = "foundling.save", "登记和办理弃婴"
    ALLOWANCE_APPLICATION_UPDATE = (
        "allowance_application.update",
        "办理基本生活保障申请",
    )
    ALLOWANCE_APPLICATIONS_IMPORT = "allowance_application.import", "导入保障对象名单"
    ALLOWANCE_ACCOUNT_REVEAL = "allowance.reveal_account", "查看完整账号和身份号码"
    PAYMENT_BATCH_UPDATE = "payment_batch.update", "办理基本生活保障发放批次"
    PAYMENT_BANK_FILE = "payment_batch.bank_file", "导出银行代发文件"
    PAYMENT_BANK_RESULT = "payment_batch.bank_result", "导入银行回盘文件"
    EXCHANGE_IMPORT = "exchange.import", "接收部门名单"
    EXCHANGE_ALERT = "exchange.alert", "核实比对提示"
    EXCHANGE_EXPORT = "exchange.export", "向成员单位提供名单"
    EXCHANGE_TOKEN = "exchange.token", "管理接口令牌"
    EXCHANGE_API = "exchange.api", "接口调用"
    EXCHANGE_SETTINGS = "exchange.settings", "设置比对提示核实时限"
    JOINT_UNIT_UPDATE = "joint_unit.update", "设置联席会议成员单位"
    MEETING_SAVE = "meeting.save", "登记联席会议"
    TASK_UPDATE = "task.update", "办理督办任务"
    SUPERVISION_NOTICE = "task.notice", "发出督办通知"
    LETTER_SAVE = "letter.save", "登记责任书"
    CARE_SAVE = "care.save", "登记社会关爱"
    PAIRING_DISCLOSE = "pairing.disclose", "授权向志愿者告知儿童信息"


class AuditEvent(models.Model):
    """Who did what to which record, where and when; written inside the service's transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=40, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [
            models.Index(fields=["area", "at"], name="audit_area_at"),
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"
