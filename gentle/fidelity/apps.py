from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FidelityConfig(AppConfig):
    name = "gentle.fidelity"
    label = "fidelity"
    verbose_name = _("Session fidelity")

    def ready(self) -> None:
        # Load and validate the rating form at start-up: a broken file stops the server early.
        from gentle.fidelity import instrument

        instrument.load()
