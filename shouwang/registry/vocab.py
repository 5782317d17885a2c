"""Closed vocabularies of the child ledger (roster template v1, domain.md), in one place.

Values are the Chinese terms themselves, as the template writes them, so that imports,
exports and the database agree without translation tables.
"""

from django.db import models


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
Ethnicity = models.TextChoices("Ethnicity", [(e, e) for e in ETHNIC_GROUPS])


class HukouNature(models.TextChoices):
    RURAL = "农村", "农村"
    URBAN = "城镇", "城镇"


class Health(models.TextChoices):
    HEALTHY = "健康", "健康"
    DISABLED = "残疾", "残疾"
    ILL = "患病", "患病"


class DisabilityCategory(models.TextChoices):
    VISION = "视力", "视力"
    HEARING = "听力", "听力"
    SPEECH = "言语", "言语"
    PHYSICAL = "肢体", "肢体"
    INTELLECTUAL = "智力", "智力"
    MENTAL = "精神", "精神"
    MULTIPLE = "多重", "多重"


class DisabilityGrade(models.TextChoices):
    ONE = "一级", "一级"
    TWO = "二级", "二级"
    THREE = "三级", "三级"
    FOUR = "四级", "四级"


class Schooling(models.TextChoices):
    NOT_IN_KINDERGARTEN = "未入园", "未入园"
    KINDERGARTEN = "幼儿园", "幼儿园"
    PRIMARY = "小学", "小学"
    JUNIOR = "初中", "初中"
    SENIOR = "高中", "高中"
    VOCATIONAL = "中职", "中职"
    HIGHER = "高职及以上", "高职及以上"
    DROPPED_OUT = "辍学", "辍学"
    NOT_IN_SCHOOL = "不在学", "不在学"


class ParentStatus(models.TextChoices):
    AT_HOME = "在家", "在家"
    MIGRANT = "外出务工", "外出务工"
    SEVERE_DISABILITY = "重残", "重残"
    SERIOUS_ILLNESS = "重病", "重病"
    IMPRISONED = "服刑在押", "服刑在押"
    DRUG_REHAB = "强制隔离戒毒", "强制隔离戒毒"
    OTHER_RESTRICTION = "其他限制人身自由措施", "其他限制人身自由措施"
    DEPORTED = "被遣送出境", "被遣送出境"
    ABANDONED = "弃养", "弃养"
    OUT_OF_CONTACT = "失联", "失联"
    GUARDIANSHIP_REVOKED = "被撤销监护资格", "被撤销监护资格"
    DEAD = "死亡", "死亡"
    MISSING = "失踪", "失踪"
    UNKNOWN = "不详", "不详"


class GuardianRelation(models.TextChoices):
    FATHER = "父亲", "父亲"
    MOTHER = "母亲", "母亲"
    GRANDPARENT = "祖父母", "祖父母"
    MATERNAL_GRANDPARENT = "外祖父母", "外祖父母"
    SIBLING = "兄姐", "兄姐"
    OTHER_RELATIVE = "其他亲属", "其他亲属"
    FRIEND_OR_NEIGHBOUR = "朋友或邻居", "朋友或邻居"
    INSTITUTION = "机构", "机构"
    OTHER = "其他", "其他"


class GuardianCapacity(models.TextChoices):
    GOOD = "较好", "较好"
    FAIR = "一般", "一般"
    POOR = "差", "差"


class Assistance(models.TextChoices):
    DIBAO = "低保", "低保"
    TEKUN = "特困供养", "特困供养"
    POVERTY_MONITORING = "防返贫监测对象", "防返贫监测对象"
    REGISTERED_POOR = "建档立卡", "建档立卡"
    TEMPORARY = "临时救助", "临时救助"
    MEDICAL = "医疗救助", "医疗救助"
    HOUSING = "住房救助", "住房救助"
    OTHER = "其他", "其他"


class Category(models.TextChoices):
    ORPHAN = "孤儿", "孤儿"
    DE_FACTO_UNSUPPORTED = "事实无人抚养儿童", "事实无人抚养儿童"
    LEFT_BEHIND = "农村留守儿童", "农村留守儿童"
    IN_DIFFICULTY = "困境儿童", "困境儿童"


class DifficultyKind(models.TextChoices):
    LIVING = "生活困境", "生活困境"
    SELF = "自身困境", "自身困境"
    GUARDIANSHIP = "监护困境", "监护困境"


class WeaknessType(models.TextChoices):
    A = "①-A", "①-A 双方重残或重病"
    B = "①-B", "①-B 双方服刑在押等限制人身自由"
    C = "①-C", "①-C 双方弃养、失联或被撤销监护资格"
    AB = "②-AB", "②-AB 一方A类、一方B类"
    AC = "②-AC", "②-AC 一方A类、一方C类"
    CB = "③-CB", "③-CB 一方C类、一方B类"
    EA = "④-EA", "④-EA 一方死亡或失踪、一方A类"
    EB = "④-EB", "④-EB 一方死亡或失踪、一方B类"
    EC = "④-EC", "④-EC 一方死亡或失踪、一方C类"


class RiskLevel(models.TextChoices):
    HIGH = "高", "高"
    MEDIUM = "中", "中"
    LOW = "低", "低"


class ExitReason(models.TextChoices):
    AGED_16 = "年满16周岁", "年满16周岁"
    AGED_18 = "年满18周岁", "年满18周岁"
    PARENTS_RETURNED = "父母返乡/监护恢复", "父母返乡/监护恢复"
    MOVED_AWAY = "迁出本辖区", "迁出本辖区"
    DIED = "死亡", "死亡"
    ADOPTED = "被收养", "被收养"
    OTHER = "其他", "其他"
