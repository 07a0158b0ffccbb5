from gentle.formulation import views
from gentle.lib.routes import Access, route

urlpatterns = [
    route(
        "courses/<int:course_id>/formulation/",
        views.formulation,
        name="formulation",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "courses/<int:course_id>/formulation/regenerate/",
        views.formulation_regenerate,
        name="formulation_regenerate",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "courses/<int:course_id>/formulation/agree/",
        views.formulation_agree,
        name="formulation_agree",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "courses/<int:course_id>/goals/",
        views.goals,
        name="goals",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "goals/<int:goal_id>/rate/",
        views.goal_rate,
        name="goal_rate",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "sessions/<int:session_id>/goals/rate/",
        views.session_goals_rate,
        name="session_goals_rate",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
]
