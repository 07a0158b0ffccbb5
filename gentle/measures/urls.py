from gentle.lib.routes import Access, route
from gentle.measures import views

urlpatterns = [
    route(
        "clients/<int:client_id>/measures/new/",
        views.administration_new,
        name="administration_new",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "administrations/<int:administration_id>/",
        views.administration_fill,
        name="administration_fill",
        access=Access.CLIENT_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "administrations/<int:administration_id>/correct/",
        views.administration_correct,
        name="administration_correct",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "courses/<int:course_id>/measure-schedule/",
        views.measure_schedule,
        name="measure_schedule",
        access=Access.CLIENT_WRITE,
        methods=("GET", "POST"),
    ),
]
