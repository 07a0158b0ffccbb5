"""The staff pages that combine apps; their paths and names are those they had in the apps that
used to hold them."""

from gentle.lib.routes import Access, route
from gentle.staff import views

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route(
        "clients/<int:client_id>/",
        views.client_detail,
        name="client_detail",
        access=Access.CLIENT_TEAM,
    ),
    route("caseload/", views.caseload, name="caseload", access=Access.CLINICAL),
    route(
        "clients/<int:client_id>/measures/",
        views.client_measures,
        name="client_measures",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "courses/<int:course_id>/summary/",
        views.course_summary,
        name="course_summary",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "courses/<int:course_id>/grid/",
        views.course_grid,
        name="course_grid",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "courses/<int:course_id>/letters/",
        views.course_letters,
        name="course_letters",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "letters/<int:letter_id>/",
        views.letter_edit,
        name="letter_edit",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "letters/<int:letter_id>/final/",
        views.letter_final,
        name="letter_final",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "letters/<int:letter_id>/status/",
        views.letter_status,
        name="letter_status",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "letters/<int:letter_id>/pdf/",
        views.letter_pdf,
        name="letter_pdf",
        access=Access.CLIENT_TEAM,
    ),
]
