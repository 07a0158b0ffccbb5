from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "gentle.measures"
    label = "measures"
    verbose_name = _("Measures")

    def ready(self) -> None:
        # Every shipped instrument is loaded and validated at start-up.
        from gentle.lib import before_signing, course_finished, session_panel
        from gentle.measures import actions, alerts, instruments, panel, selectors
        from gentle.safety import sources

        instruments.catalogue()
        selectors.check_schedules()
        # The alert page shows what raised a questionnaire's alert through this (safety may
        # not read administrations: it sits above measures).
        sources.register(alerts.SOURCE, alerts.describe)
        # Measures since the last session and open alerts on the session page (ADR 0039).
        session_panel.register(panel.PART)
        # A note's confirmation page warns of the day's risk answers (courses may not read
        # measures).
        before_signing.register("measures", alerts.risk_answers_of_the_day)
        # A finished course keeps the reliable-change thresholds it was judged by (ADR 0052).
        course_finished.register("measures", actions.thresholds_fix)
        # ... and its outcome is stored once for the clinic report (ADR 0058); "measures"
        # runs first, so the result is judged by the thresholds just fixed.
        course_finished.register("measures_result", actions.result_store)
        course_finished.register_reopened("measures_result", actions.result_forget)
        course_finished.register_changed("measures_result", actions.result_store)
