from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatMpConfig(AppConfig):
    name = "kefu.intake.wechat_mp"
    label = "wechat_mp"
    verbose_name = _("WeChat Official Account")

    def ready(self) -> None:
        from kefu.intake.wechat_mp import outbound  # noqa: F401 - the deliverer for WeChat channels
