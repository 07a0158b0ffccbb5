from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "gentle.measures"
    label = "measures"
    verbose_name = _("Measures")

    def ready(self) -> None:
        # Every shipped instrument is loaded and validated at start-up.
        from gentle.measures import instruments

        instruments.catalogue()
