from django.urls import path

from scorecard.views import reporting

urlpatterns = [
    path("mis-indicadores/", reporting.my_indicators, name="my-indicators"),
    # Indicator codes carry dots ("13.2") and periods dashes ("2019-T2"): <str:> takes both.
    path(
        "mis-indicadores/<str:code>/<str:ind_code>/<str:period>/",
        reporting.report_edit,
        name="report-edit",
    ),
    path("evidencias/<int:pk>/", reporting.evidence_download, name="evidence-download"),
    path("evidencias/<int:pk>/eliminar/", reporting.evidence_delete, name="evidence-delete"),
]
