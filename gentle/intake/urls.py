from gentle.intake import views
from gentle.lib.routes import Access, route

urlpatterns = [
    route("c/<slug:slug>/", views.public_clinic, name="public_clinic", access=Access.PUBLIC),
    route(
        "c/<slug:slug>/reach-out/",
        views.reach_out,
        name="reach_out",
        access=Access.PUBLIC,
        methods=("GET", "POST"),
    ),
    route("clinic/intake/", views.intake_queue, name="intake_queue", access=Access.INTAKE),
    route(
        "clinic/intake/<int:request_id>/",
        views.intake_detail,
        name="intake_detail",
        access=Access.INTAKE,
        methods=("GET", "POST"),
    ),
    route(
        "clinic/intake/<int:request_id>/convert/",
        views.intake_convert,
        name="intake_convert",
        access=Access.INTAKE,
        methods=("POST",),
    ),
    route(
        "clinic/intake/<int:request_id>/decline/",
        views.intake_decline,
        name="intake_decline",
        access=Access.INTAKE,
        methods=("POST",),
    ),
    route(
        "clinic/intake/<int:request_id>/contact/",
        views.intake_contact,
        name="intake_contact",
        access=Access.INTAKE,
        methods=("POST",),
    ),
    route(
        "clinic/public-pages/",
        views.public_texts,
        name="public_texts",
        access=Access.ADMIN,
        methods=("GET", "POST"),
    ),
]
