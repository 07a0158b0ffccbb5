from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GriefConfig(AppConfig):
    name = "gentle.grief"
    label = "grief"
    verbose_name = _("Loss and change")

    def ready(self) -> None:
        # The session page names and checks the grief tools linked to a session through
        # these (courses sits above grief and may not read its models; ADR 0039).
        from gentle.grief import tools
        from gentle.lib.session_panel import register_tool

        for kind in tools.KINDS:
            register_tool(kind)
