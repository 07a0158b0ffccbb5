from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "gentle.safety"
    label = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from gentle.lib import before_signing
        from gentle.safety import selectors

        # A note's confirmation page warns of open alerts (courses may not read safety).
        before_signing.register("safety", selectors.open_alerts_before_signing)
