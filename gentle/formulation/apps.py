from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "gentle.formulation"
    label = "formulation"
    verbose_name = _("Formulation and goals")

    def ready(self) -> None:
        from gentle.formulation import focus, panel, rules
        from gentle.lib import course_focus, session_panel

        rules.load()
        session_panel.register(panel.PART)
        # The session page's middle-phase agenda and the course grid read the focus (ADR 0045).
        course_focus.register(focus.of)
        # A course's focus in the client's copy of the record by its plain name (issue 23).
        course_focus.register_plain_names(lambda: {a: rules.plain_name(a) for a in rules.AREAS})
