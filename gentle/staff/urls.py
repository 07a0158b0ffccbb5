"""The staff pages that combine apps; their paths and names are those they had in the apps that
used to hold them."""

from gentle.lib.routes import Access, route
from gentle.staff import views

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
]
