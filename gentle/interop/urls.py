from gentle.interop import views
from gentle.lib.routes import Access, route

urlpatterns = [
    route(
        "clients/<int:client_id>/fhir/",
        views.client_fhir_bundle,
        name="client_fhir_bundle",
        access=Access.CLIENT_TEAM,
    ),
    route(
        "portal/record/fhir/",
        views.portal_fhir_bundle,
        name="portal_fhir_bundle",
        access=Access.PORTAL,
    ),
    route(
        "clinic/fhir-exports/",
        views.fhir_exports,
        name="fhir_exports",
        access=Access.ADMIN,
        methods=("GET", "POST"),
    ),
    route(
        "clinic/fhir-exports/<int:bulk_id>/status/",
        views.fhir_export_status,
        name="fhir_export_status",
        access=Access.ADMIN,
    ),
    route(
        "clinic/fhir-exports/<int:bulk_id>/resume/",
        views.fhir_export_resume,
        name="fhir_export_resume",
        access=Access.ADMIN,
        methods=("POST",),
    ),
    route(
        "clinic/fhir-exports/<int:bulk_id>/<slug:resource_type>.ndjson",
        views.fhir_export_file,
        name="fhir_export_file",
        access=Access.ADMIN,
    ),
]
