from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "gentle.formulation"
    label = "formulation"
    verbose_name = _("Formulation and goals")

    def ready(self) -> None:
        from gentle.formulation import panel, rules
        from gentle.lib import session_panel

        rules.load()
        session_panel.register(panel.PART)
