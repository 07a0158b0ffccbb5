from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gentle.portal"
    label = "portal"
    verbose_name = _("Client portal")

    def ready(self) -> None:
        from gentle.lib import session_panel
        from gentle.portal.panel import PART

        session_panel.register(PART)
