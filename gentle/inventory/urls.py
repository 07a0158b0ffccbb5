from gentle.inventory import views
from gentle.lib.routes import Access, route

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route(
        "clients/<int:client_id>/inventory/",
        views.inventory,
        name="inventory",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/inventory/new/",
        views.person_new,
        name="person_new",
        access=Access.CLIENT_WRITE,
        methods=GET_POST,
    ),
    route(
        "clients/<int:client_id>/inventory/snapshots/",
        views.snapshot_new,
        name="snapshot_new",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "clients/<int:client_id>/inventory/compare/",
        views.snapshot_compare,
        name="snapshot_compare",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/attachment/",
        views.attachment,
        name="attachment",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/attachment/new/",
        views.attachment_new,
        name="attachment_new",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "inventory/people/<int:person_id>/",
        views.person_edit,
        name="person_edit",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "inventory/people/<int:person_id>/move/",
        views.person_move,
        name="person_move",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "inventory/people/<int:person_id>/accept/",
        views.person_accept,
        name="person_accept",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "inventory/people/<int:person_id>/remove/",
        views.person_remove,
        name="person_remove",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
]
