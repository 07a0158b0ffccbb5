from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "gentle.timeline"
    label = "timeline"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        # The diary's mood since the last session on the session page (ADR 0039).
        from gentle.lib import session_panel
        from gentle.timeline import panel

        session_panel.register(panel.PART)
