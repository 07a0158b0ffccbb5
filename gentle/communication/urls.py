from gentle.communication import views
from gentle.lib.routes import Access, route

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route(
        "clients/<int:client_id>/communication/",
        views.communication,
        name="communication",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/communication/styles/",
        views.style_reflect,
        name="style_reflect",
        access=Access.CLIENT_WRITE,
        methods=GET_POST,
    ),
    route(
        "clients/<int:client_id>/communication/exchanges/new/",
        views.exchange_new,
        name="exchange_new",
        access=Access.CLIENT_WRITE,
        methods=GET_POST,
    ),
    route(
        "clients/<int:client_id>/communication/worksheets/new/",
        views.worksheet_new,
        name="worksheet_new",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "exchanges/<int:exchange_id>/",
        views.exchange_detail,
        name="exchange_detail",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "exchanges/<int:exchange_id>/share/",
        views.exchange_share,
        name="exchange_share",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "worksheets/<int:worksheet_id>/",
        views.worksheet_detail,
        name="worksheet_detail",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "worksheets/<int:worksheet_id>/share/",
        views.worksheet_share,
        name="worksheet_share",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "communication/statement/",
        views.statement,
        name="statement",
        access=Access.CLINICAL,
        methods=GET_POST,
    ),
]
