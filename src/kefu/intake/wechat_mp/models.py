"""One WeChat Official Account per channel, its followers (OpenID → customer, last qualifying
action for the 48 h window), the receipts that make a retried callback a no-op, and the outgoing
deliveries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.secrets import EncryptedTextField

DEFAULT_API_BASE = "https://api.weixin.qq.com"


class WechatAccount(models.Model):
    """App secret, EncodingAESKey, token and the cached access token are encrypted at rest (ADR 0008)
    and write-only in forms."""

    channel = models.OneToOneField(
        "conversations.Channel", on_delete=models.CASCADE, related_name="wechat_account", verbose_name=_("channel")
    )
    app_id = models.CharField(_("AppID"), max_length=40, unique=True)
    app_secret = EncryptedTextField(_("AppSecret"), blank=True)
    token = EncryptedTextField(_("callback token"), blank=True)
    aes_key = EncryptedTextField(_("EncodingAESKey"), blank=True)
    api_base = models.URLField(_("API base URL"), max_length=200, default=DEFAULT_API_BASE)
    access_token = EncryptedTextField(blank=True, default="")
    token_expires_at = models.DateTimeField(_("access token valid until"), null=True, blank=True)
    token_fetches = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("WeChat Official Account")
        verbose_name_plural = _("WeChat Official Accounts")

    def __str__(self) -> str:
        return self.app_id


class WechatFollower(models.Model):
    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="followers")
    openid = models.CharField(max_length=64)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    last_action_at = models.DateTimeField()

    class Meta:
        verbose_name = _("WeChat follower")
        verbose_name_plural = _("WeChat followers")
        constraints = [models.UniqueConstraint(fields=["account", "openid"], name="wechat_follower_unique")]

    def __str__(self) -> str:
        return self.openid


class WechatReceipt(models.Model):
    """One row per platform message id (or FromUserName+CreateTime for events): the platform
    retries a callback three times within 15 s, each retry finds this row and stores nothing.
    The row keeps the callback's fields until it is stored (``done_at``), so a job that failed or
    was never run is done again by the ``wechat_mp.redeliver`` sweeper: the receipt that stops
    WeChat's retries never loses the message."""

    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    message = models.ForeignKey("conversations.Message", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="wechat_receipt_unique")]

    def __str__(self) -> str:
        return self.key


class WechatDelivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to send")
        RETRYING = "retrying", _("sending again later")
        SENT = "sent", _("delivered to WeChat")
        FAILED = "failed", _("not delivered")

    message = models.OneToOneField("conversations.Message", on_delete=models.CASCADE, related_name="wechat_delivery")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    errcode = models.IntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat delivery")
        verbose_name_plural = _("WeChat deliveries")

    def __str__(self) -> str:
        return f"{self.message_id}: {self.status}"
