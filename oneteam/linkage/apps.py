from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.body_id)


def _sees_referrals(user) -> bool:
    from oneteam.org.choices import BodyKind

    return _is_staff(user) and user.body.kind in (BodyKind.PROCURATORATE, BodyKind.GUIDANCE_OFFICE)


def _is_court(user) -> bool:
    from oneteam.org.choices import BodyKind

    return _is_staff(user) and user.body.kind == BodyKind.COURT


class LinkageConfig(AppConfig):
    name = "oneteam.linkage"
    label = "linkage"
    verbose_name = _("联合执法与行刑衔接")

    def ready(self) -> None:
        from oneteam.core.navigation import register_nav

        from . import flows  # noqa: F401  (registers the five flows on the kernel)

        group = _("协作配合")
        register_nav(_("联合执法"), "linkage:joint-list", order=60, visible=_is_staff, group=group)
        register_nav(_("综合查一次"), "linkage:plan-list", order=61, visible=_is_staff, group=group)
        register_nav(_("行刑衔接"), "linkage:referral-list", order=62, visible=_is_staff, group=group)
        register_nav(_("移送监督"), "linkage:oversight", order=63, visible=_sees_referrals, group=group)
        register_nav(_("强制执行申请"), "linkage:court", order=64, visible=_is_staff, group=group)
        register_nav(_("警力支援"), "linkage:police-support-list", order=65, visible=_is_staff, group=group)
