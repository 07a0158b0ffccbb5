from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoleplayConfig(AppConfig):
    name = "gentle.roleplay"
    label = "roleplay"
    verbose_name = _("Role play")

    def ready(self) -> None:
        # The session page names and checks the roleplay tools linked to a session through
        # these (courses sits above roleplay and may not read its models; ADR 0039).
        from gentle.lib.session_panel import register_tool
        from gentle.roleplay import tools

        for kind in tools.KINDS:
            register_tool(kind)
