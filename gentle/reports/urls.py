from gentle.lib.routes import Access, route
from gentle.reports import views

urlpatterns = [
    route("reports/outcomes/", views.outcomes, name="outcome_report", access=Access.CLINIC_REPORT),
    route(
        "reports/outcomes.csv",
        views.outcomes_csv,
        name="outcome_report_csv",
        access=Access.CLINIC_REPORT,
    ),
    route(
        "reports/outcomes/pdf/",
        views.outcomes_pdf,
        name="outcome_report_pdf",
        access=Access.CLINIC_REPORT,
        methods=("GET", "POST"),
    ),
    route(
        "reports/outcomes/pdf/status/",
        views.outcomes_pdf_status,
        name="outcome_report_pdf_status",
        access=Access.CLINIC_REPORT,
    ),
    route(
        "reports/outcomes/pdf/latest.pdf",
        views.outcomes_pdf_download,
        name="outcome_report_pdf_download",
        access=Access.CLINIC_REPORT,
    ),
]
