from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GriefConfig(AppConfig):
    name = "gentle.grief"
    label = "grief"
    verbose_name = _("Loss and change")
