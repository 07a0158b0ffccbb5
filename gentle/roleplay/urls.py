from gentle.lib.routes import Access, route
from gentle.roleplay import views

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route(
        "clients/<int:client_id>/role-play/",
        views.roleplay,
        name="roleplay",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "scenarios/<int:scenario_id>/",
        views.scenario_detail,
        name="scenario_detail",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "scenarios/<int:scenario_id>/share/",
        views.scenario_share,
        name="scenario_share",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "scenarios/<int:scenario_id>/rehearse/",
        views.rehearsal_start,
        name="rehearsal_start",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "rehearsals/<int:rehearsal_id>/",
        views.rehearsal_detail,
        name="rehearsal_detail",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=GET_POST,
    ),
    route(
        "rehearsals/<int:rehearsal_id>/end/",
        views.rehearsal_end,
        name="rehearsal_end",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "rehearsals/<int:rehearsal_id>/notes/",
        views.rehearsal_annotate,
        name="rehearsal_annotate",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "rehearsals/<int:rehearsal_id>/resume/",
        views.rehearsal_resume,
        name="rehearsal_resume",
        access=Access.CLIENT_WRITE,
        methods=POST,
    ),
    route(
        "clinic/role-play/",
        views.partner_settings,
        name="partner_settings",
        access=Access.ADMIN,
        methods=GET_POST,
    ),
]
