from gentle.groups import paper, programme_views, views
from gentle.lib.routes import Access, route

GET_POST = ("GET", "POST")

urlpatterns = [
    route("groups/", views.group_list, name="group_list", access=Access.GROUPS),
    route(
        "groups/programme/",
        programme_views.programme,
        name="group_programme",
        access=Access.GROUPS,
    ),
    route(
        "groups/programme.csv",
        programme_views.programme_csv,
        name="group_programme_csv",
        access=Access.GROUPS,
    ),
    route(
        "groups/new/",
        views.group_new,
        name="group_new",
        access=Access.GROUP_CREATE,
        methods=GET_POST,
    ),
    route("groups/<int:group_id>/", views.group_detail, name="group_detail", access=Access.GROUP),
    route(
        "groups/<int:group_id>/edit/",
        views.group_edit,
        name="group_edit",
        access=Access.GROUP_MANAGE,
        methods=GET_POST,
    ),
    route(
        "groups/<int:group_id>/members/new/",
        views.member_add,
        name="group_member_add",
        access=Access.GROUP_MANAGE,
        methods=GET_POST,
    ),
    route(
        "groups/members/<int:member_id>/leave/",
        views.member_leave,
        name="group_member_leave",
        access=Access.GROUP_RUN,
        methods=GET_POST,
    ),
    route(
        "groups/<int:group_id>/sessions/<int:number>/guide.pdf",
        paper.session_guide,
        name="group_session_guide",
        access=Access.GROUP_PAPER,
    ),
    route(
        "groups/<int:group_id>/sessions/<int:number>/sheet.pdf",
        paper.session_sheet,
        name="group_session_sheet",
        access=Access.GROUP_PAPER,
    ),
    route(
        "groups/<int:group_id>/schedule/",
        views.schedule_make,
        name="group_schedule",
        access=Access.GROUP_MANAGE,
        methods=("POST",),
    ),
    route(
        "groups/<int:group_id>/sessions/<int:number>/",
        views.group_session,
        name="group_session",
        access=Access.GROUP_READ_RUN,
        methods=GET_POST,
    ),
    route(
        "groups/<int:group_id>/sessions/<int:number>/move/",
        views.session_move,
        name="group_session_move",
        access=Access.GROUP_RUN,
        methods=GET_POST,
    ),
]
