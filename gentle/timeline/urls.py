from gentle.lib.routes import Access, route
from gentle.timeline import views

urlpatterns = [
    route(
        "clients/<int:client_id>/timeline/",
        views.timeline,
        name="timeline",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "clients/<int:client_id>/timeline/events/new/",
        views.event_new,
        name="event_new",
        access=Access.CLIENT_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "clients/<int:client_id>/timeline/episodes/new/",
        views.episode_new,
        name="episode_new",
        access=Access.CLIENT_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "timeline/events/<int:event_id>/remove/",
        views.event_remove,
        name="event_remove",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
]
