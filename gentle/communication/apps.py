from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "gentle.communication"
    label = "communication"
    verbose_name = _("Communication and conflict")

    def ready(self) -> None:
        # The session page names and checks the communication tools linked to a session through
        # these (courses sits above communication and may not read its models; ADR 0039).
        from gentle.communication import tools
        from gentle.lib.session_panel import register_tool

        for kind in tools.KINDS:
            register_tool(kind)
