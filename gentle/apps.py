import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gentle.lib.datadir import take_open_path_warnings


class GentleConfig(AppConfig):
    """The project package is also an app: it holds the `gentle` commands, the base layout and
    the schedule of periodic jobs."""

    name = "gentle"
    label = "gentle"
    verbose_name = _("Gentle")

    def ready(self):
        # Settings are read before logging is set up, so their warnings are written now.
        for warning in take_open_path_warnings():
            logging.getLogger("gentle.datadir").warning(warning)
