from gentle.grief import views
from gentle.lib.routes import Access, route

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route(
        "clients/<int:client_id>/loss-and-change/",
        views.losses,
        name="losses",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "clients/<int:client_id>/transitions/new/",
        views.transition_new,
        name="transition_new",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "losses/<int:loss_id>/", views.loss_detail, name="loss_detail", access=Access.CLIENT_TEAM
    ),
    route(
        "losses/<int:loss_id>/share/",
        views.loss_share,
        name="loss_share",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "transitions/<int:transition_id>/share/",
        views.transition_share,
        name="transition_share",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "losses/<int:loss_id>/activities/",
        views.activity_add,
        name="activity_add",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "losses/<int:loss_id>/check-ins/",
        views.check_in_add,
        name="check_in_add",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "transitions/<int:transition_id>/",
        views.transition_detail,
        name="transition_detail",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "transitions/<int:transition_id>/steps/",
        views.transition_step,
        name="transition_step",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
]
