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
    route(
        "loss-and-change/",
        views.portal_loss_and_change,
        name="portal_loss_and_change",
        access=Access.PORTAL,
    ),
    route("losses/<int:loss_id>/", views.portal_loss, name="portal_loss", access=Access.PORTAL_OWN),
    route(
        "losses/<int:loss_id>/activities/",
        views.portal_activity_add,
        name="portal_activity_add",
        access=Access.PORTAL_OWN,
        methods=("POST",),
    ),
    route(
        "losses/<int:loss_id>/check-ins/",
        views.portal_check_in_add,
        name="portal_check_in_add",
        access=Access.PORTAL_OWN,
        methods=("POST",),
    ),
    route(
        "transitions/<int:transition_id>/",
        views.portal_transition,
        name="portal_transition",
        access=Access.PORTAL_OWN,
        methods=("GET", "POST"),
    ),
    route(
        "communication/",
        views.portal_communication,
        name="portal_communication",
        access=Access.PORTAL,
    ),
    route(
        "communication/statement/",
        views.portal_statement,
        name="portal_statement",
        access=Access.PORTAL,
        methods=("GET", "POST"),
    ),
    route(
        "exchanges/<int:exchange_id>/",
        views.portal_exchange,
        name="portal_exchange",
        access=Access.PORTAL_OWN,
        methods=("GET", "POST"),
    ),
    route(
        "worksheets/<int:worksheet_id>/",
        views.portal_worksheet,
        name="portal_worksheet",
        access=Access.PORTAL_OWN,
        methods=("GET", "POST"),
    ),
]
