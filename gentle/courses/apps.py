from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "gentle.courses"
    label = "courses"
    verbose_name = _("IPT courses")

    def ready(self) -> None:
        # Load and validate the data files at start-up: a broken file stops the server early.
        from gentle.accounts.actions import on_role_removal
        from gentle.courses import actions, panel, protocol, strategies
        from gentle.lib import session_panel

        protocol.load()
        strategies.load()
        # Losing a clinical role stops the person's calendar link.
        on_role_removal(actions.calendar_feed_end)
        # The session page's own parts of its "before this session" panel (ADR 0039).
        for part in panel.PARTS:
            session_panel.register(part)
