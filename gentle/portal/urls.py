from gentle.portal import views
from gentle.routes import Access, route

urlpatterns = [
    route("", views.portal_home, name="portal_home", access=Access.PORTAL),
]
