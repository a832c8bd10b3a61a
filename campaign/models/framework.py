"""The evaluation framework (测评体系): its editions, the tree of items down to standards, the negative list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Framework(models.Model):
    """One edition of the 全国文明城市测评体系. Editions differ, so it is data, never constants in code."""

    edition = models.CharField(_("edition"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation framework")
        verbose_name_plural = _("evaluation frameworks")
        ordering = ["-edition"]

    def __str__(self):
        return self.name


class FrameworkItem(models.Model):
    """测评项目 (level Ⅰ)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworkitem_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    """指标名称 (level Ⅱ)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Content(models.Model):
    """测评内容 (level Ⅲ). ``bureau_scope`` marks the contents this bureau answers for."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="contents")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="contents")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    bureau_scope = models.BooleanField(_("bureau's responsibility"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation content")
        verbose_name_plural = _("evaluation contents")
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="content_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Standard(models.Model):
    """测评标准: a numbered clause of a content, coded like Ⅲ-59-2 in responsibility lists."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="standards")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=30)
    text = models.TextField(_("text"))
    bureau_scope = models.BooleanField(_("bureau's responsibility"), default=False)

    class Meta:
        verbose_name = _("evaluation standard")
        verbose_name_plural = _("evaluation standards")
        ordering = ["content__sort_order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique_per_edition"),
            models.UniqueConstraint(fields=["content", "number"], name="standard_number_unique_per_content"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    def clean_fields(self, exclude=None):
        # The edition and the code follow from the content; derive them before they are checked.
        if self.content_id:
            self.framework_id = self.content.framework_id
            if not self.code and self.number:
                self.code = f"{self.content.code}-{self.number}"
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        if self.content_id and self.number:
            expected = f"{self.content.code}-{self.number}"
            if self.code != expected:
                raise ValidationError({"code": _("The code of standard %(n)s of this content is %(c)s.") % {
                    "n": self.number, "c": expected}})


class NegativeListItem(models.Model):
    """负面清单: a clause that costs points or the title, whatever the score."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="negative_items")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("clause"))
    penalty = models.TextField(_("penalty"), blank=True)

    class Meta:
        verbose_name = _("negative-list clause")
        verbose_name_plural = _("negative-list clauses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="negativeitem_code_unique_per_edition")
        ]

    def __str__(self):
        return f"{self.code} {self.text}"
