from django.urls import path

from scorecard.views import pdf

urlpatterns = [
    path("planes/<str:code>/cmi.pdf", pdf.scorecard_report, name="scorecard-pdf"),
    # Indicator codes carry dots ("13.2"): <str:> takes anything but a slash.
    path(
        "planes/<str:code>/indicadores/<str:ind_code>/ficha.pdf",
        pdf.indicator_ficha,
        name="indicator-ficha-pdf",
    ),
]
