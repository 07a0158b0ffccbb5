from gentle.fidelity import views
from gentle.lib.routes import Access, route

urlpatterns = [
    route(
        "sessions/<int:session_id>/fidelity/",
        views.rate,
        name="fidelity_rate",
        access=Access.FIDELITY_RATE,
        methods=("GET", "POST"),
    ),
    route(
        "sessions/<int:session_id>/fidelity/recorded/",
        views.recorded,
        name="fidelity_recorded",
        access=Access.CARE_TEAM_CLINICIAN,
        methods=("POST",),
    ),
    route(
        "fidelity/clinician/<int:user_id>/",
        views.clinician,
        name="fidelity_clinician",
        access=Access.FIDELITY_CLINICIAN,
    ),
    route(
        "clinic/fidelity/",
        views.settings,
        name="fidelity_settings",
        access=Access.ADMIN,
        methods=("GET", "POST"),
    ),
]
