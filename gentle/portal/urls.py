from gentle.portal import views
from gentle.routes import Access, route

urlpatterns = [
    route("", views.portal_home, name="portal_home", access=Access.PORTAL),
    route("plan/", views.portal_plan, name="portal_plan", access=Access.PORTAL),
    route(
        "questionnaires/",
        views.portal_questionnaires,
        name="portal_questionnaires",
        access=Access.PORTAL,
    ),
    route(
        "questionnaires/<int:administration_id>/",
        views.portal_fill,
        name="portal_fill",
        access=Access.PORTAL_OWN,
        methods=("GET", "POST"),
    ),
]
