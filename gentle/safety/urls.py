from gentle.routes import Access, route
from gentle.safety import views

urlpatterns = [
    route(
        "alerts/<int:alert_id>/", views.alert_detail, name="alert_detail", access=Access.CLIENT_TEAM
    ),
    route(
        "alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="alert_acknowledge",
        access=Access.CLIENT_WRITE,
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
