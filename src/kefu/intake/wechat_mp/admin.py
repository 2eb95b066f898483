"""WeChat Official Accounts are configuration (like channels and mailboxes), set up here: the page
shows the callback URL to paste into the WeChat admin; AppSecret, token and EncodingAESKey are
write-only (never rendered back; blank keeps the stored one) and encrypted at rest (ADR 0008).
"Test credentials" fetches an access token from the configured API base."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.admin import ReadOnlyAdmin
from kefu.intake.wechat_mp import client
from kefu.intake.wechat_mp.models import WechatAccount, WechatDelivery

SECRETS = ("app_secret", "token", "aes_key")


class WechatAccountForm(forms.ModelForm):  # type: ignore[type-arg]
    app_secret = forms.CharField(
        label=gettext_lazy("AppSecret"), widget=forms.PasswordInput(render_value=False), required=False, max_length=64
    )
    token = forms.CharField(
        label=gettext_lazy("callback token"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=32,
        help_text=gettext_lazy("3–32 letters or digits, the same as in the WeChat admin."),
    )
    aes_key = forms.CharField(
        label=gettext_lazy("EncodingAESKey"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        min_length=43,
        max_length=43,
        help_text=gettext_lazy("43 characters; needed for safe mode (安全模式) and compatible mode."),
    )
    api_base = forms.URLField(
        label=gettext_lazy("API base URL"),
        assume_scheme="https",
        max_length=200,
        initial="https://api.weixin.qq.com",
        help_text=gettext_lazy("https://api.weixin.qq.com unless you use a proxy or a test platform."),
    )

    class Meta:
        model = WechatAccount
        fields = ("channel", "app_id", "app_secret", "token", "aes_key", "api_base")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            if self.instance.pk and getattr(self.instance, name):
                stored = _("A value is stored (encrypted); leave blank to keep it.")
                self.fields[name].help_text = f"{stored} {self.fields[name].help_text or ''}".strip()

    def _secret(self, name: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if not value and self.instance.pk:
            return str(getattr(self.instance, name))  # blank keeps the stored one (an unreadable one too)
        if not value and name != "aes_key":
            raise forms.ValidationError(_("This field is required."))
        return value

    def clean_app_secret(self) -> str:
        return self._secret("app_secret")

    def clean_token(self) -> str:
        value = self._secret("token")
        if value and not (value.isascii() and value.isalnum() and 3 <= len(value) <= 32):
            raise forms.ValidationError(_("3–32 letters or digits, the same as in the WeChat admin."))
        return value

    def clean_aes_key(self) -> str:
        return self._secret("aes_key")


@admin.register(WechatAccount)
class WechatAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WechatAccountForm
    list_display = ("app_id", "channel", "api_base", "callback_url")
    readonly_fields = ("callback_url", "token_expires_at")
    actions = ("test_credentials",)

    @admin.display(description=gettext_lazy("callback URL"))
    def callback_url(self, obj: WechatAccount) -> str:
        if not obj.pk:
            return ""
        path = reverse("wechat_mp:callback", args=[obj.channel.key])
        return _("https://<your kefu address>%(path)s") % {"path": path}

    @admin.action(description=gettext_lazy("Test credentials (fetch an access token)"))
    def test_credentials(self, request: HttpRequest, queryset: QuerySet[WechatAccount]) -> None:
        for account in queryset:
            try:
                client.access_token(account, stale=str(account.access_token))
            except (client.WechatApiError, OSError) as exc:
                self.message_user(
                    request,
                    _("%(app)s: WeChat refused the credentials: %(error)s") % {"app": account.app_id, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(app)s: the credentials work.") % {"app": account.app_id})


@admin.register(WechatDelivery)
class WechatDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("message", "status", "attempts", "errcode", "last_error", "created_at", "sent_at")
    list_filter = ("status",)
