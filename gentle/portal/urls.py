from gentle.portal import views
from gentle.routes import Access, route

urlpatterns = [
    route("", views.portal_home, name="portal_home", access=Access.PORTAL),
]
urlpatterns += [
    route("plan/", views.portal_plan, name="portal_plan", access=Access.PORTAL),
]
