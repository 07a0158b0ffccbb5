from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GentleConfig(AppConfig):
    """The project package is also an app: it holds the `gentle` commands, the base layout and
    the schedule of periodic jobs."""

    name = "gentle"
    label = "gentle"
    verbose_name = _("Gentle")
