from gentle.lib.routes import Access, route
from gentle.safety import views

urlpatterns = [
    route(
        "alerts/<int:alert_id>/", views.alert_detail, name="alert_detail", access=Access.CLIENT_TEAM
    ),
    route(
        "alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
        access=Access.ALERT_WORK,
        methods=("POST",),
    ),
    route(
        "alerts/<int:alert_id>/contact/",
        views.alert_contact,
        name="alert_contact",
        access=Access.ALERT_WORK,
        methods=("POST",),
    ),
    route(
        "clinic/safety/",
        views.safety_settings,
        name="safety_settings",
        access=Access.ADMIN,
        methods=("GET", "POST"),
    ),
    route(
        "clinic/crisis-text/",
        views.crisis_text,
        name="crisis_text",
        access=Access.ADMIN,
        methods=("GET", "POST"),
    ),
]

urlpatterns += [
    route(
        "clients/<int:client_id>/safety-plan/",
        views.safety_plan,
        name="safety_plan",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "clients/<int:client_id>/safety-plan/print/",
        views.safety_plan_print,
        name="safety_plan_print",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/safety-plan/pdf/",
        views.safety_plan_pdf,
        name="safety_plan_pdf",
        access=Access.CLIENT_TEAM,
    ),
]
