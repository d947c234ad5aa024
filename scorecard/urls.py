from django.urls import include, path

from scorecard import api

# One URL module per area, so each page family stays in its own small module.
urlpatterns = [
    path("api/v1/plans/<str:code>/scorecard/", api.scorecard_view, name="api-scorecard"),
    path("", include("scorecard.urls_dashboard")),
    path("", include("scorecard.urls_cmi")),
    path("", include("scorecard.urls_exports")),
    path("", include("scorecard.urls_pdf")),
    path("", include("scorecard.urls_reporting")),
    path("", include("scorecard.urls_validation")),
    path("", include("scorecard.urls_imports")),
]
