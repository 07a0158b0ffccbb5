from django.urls import include, path
from django.views.i18n import set_language

from gentle import views
from gentle.accounts.urls import allauth_urlpatterns

# Error pages in the site's layout (the 500 and 503 without a query): gentle/views.py.
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("crisis/", views.crisis, name="crisis"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include(allauth_urlpatterns)),
    path("clinic/", include("gentle.accounts.urls")),
    path("", include("gentle.interop.urls")),
    path("portal/", include("gentle.portal.urls")),
    path("", include("gentle.clients.urls")),
    path("", include("gentle.courses.urls")),
    path("", include("gentle.fidelity.urls")),
    path("", include("gentle.measures.urls")),
    path("", include("gentle.safety.urls")),
    path("", include("gentle.inventory.urls")),
    path("", include("gentle.timeline.urls")),
    path("", include("gentle.formulation.urls")),
    path("", include("gentle.grief.urls")),
    path("", include("gentle.communication.urls")),
    path("", include("gentle.roleplay.urls")),
    path("", include("gentle.groups.urls")),
    path("", include("gentle.portal.staff_urls")),
    path("", include("gentle.intake.urls")),
    path("", include("gentle.staff.urls")),
    path("", include("gentle.reports.urls")),
    path("api/v1/", include("gentle.measures.api_urls")),
]
