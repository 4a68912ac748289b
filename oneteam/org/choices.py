from django.db import models
from django.utils.translation import gettext_lazy as _


class TownshipKind(models.TextChoices):
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWNSHIP = "township", _("乡")
    ZONE = "zone", _("功能区")


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")


class EnforcementMode(models.TextChoices):
    DISPATCHED = "dispatched", _("派驻")
    EMPOWERED = "empowered", _("派驻+赋权")
    HUB_SERVED = "hub_served", _("1+X辐射")


class BodyLevel(models.TextChoices):
    PREFECTURE = "prefecture", _("地市级")
    CITY = "city", _("县市级")
    TOWNSHIP = "township", _("乡镇级")
    VILLAGE = "village", _("村级")


class BodyKind(models.TextChoices):
    CITY_GOVERNMENT = "city_government", _("市人民政府")
    LEADING_GROUP = "leading_group", _("领导小组")
    GUIDANCE_OFFICE = "guidance_office", _("市综合行政执法指导办公室")
    COMMAND_CENTRE = "command_centre", _("市行政执法指挥中心")
    CASE_REVIEW_CENTRE = "case_review_centre", _("市案审中心")
    STAFFING_OFFICE = "staffing_office", _("市委编办")
    JUSTICE_BUREAU = "justice_bureau", _("司法局")
    FINANCE = "finance", _("财政局")
    DEPARTMENT = "department", _("业务主管部门")
    DISPATCHED_TEAM = "dispatched_team", _("派驻执法队")
    TOWNSHIP_GOVERNMENT = "township_government", _("乡镇人民政府(街道办事处)")
    TOWNSHIP_COMMAND_ROOM = "township_command_room", _("乡镇综合信息指挥室")
    ENFORCEMENT_TEAM = "enforcement_team", _("综合行政执法队")
    VILLAGE_COMMITTEE = "village_committee", _("村(社区)")
    POLICE = "police", _("公安机关")
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")


class Role(models.TextChoices):
    GRID_OFFICER = "grid_officer", _("网格员")
    DISPATCHER = "dispatcher", _("指挥室调度员")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("执法人员")
    AUXILIARY = "auxiliary", _("执法辅助人员")
    DEPARTMENT_HANDLER = "department_handler", _("部门经办人")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核人员")
    SUPERVISOR = "supervisor", _("指导办督查人员")
    BODY_HEAD = "body_head", _("单位负责人")
    ADMIN = "admin", _("系统管理员")


class LegalQualificationKind(models.TextChoices):
    NATIONAL_EXAM = "national_exam", _("国家统一法律职业资格")
    PUBLIC_LAWYER = "public_lawyer", _("公职律师")
    LEGAL_ADVISER = "legal_adviser", _("法律顾问")
    RESIDENT_LAWYER = "resident_lawyer", _("驻队律师")
