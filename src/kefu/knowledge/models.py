from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.knowledge.choices import CannedCategory


class CannedReply(models.Model):
    """A standard phrase (话术) agents insert with ``/shortcut``; ``{客服名}`` etc. fill in."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=CannedCategory.choices)
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))
    shortcut = models.CharField(_("shortcut"), max_length=20, blank=True)
    shop = models.ForeignKey(
        "shops.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: available in every shop."),
    )
    source = models.CharField(_("source"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["category", "key"]

    def __str__(self) -> str:
        return self.title
