from django.urls import path

from scorecard.views import dashboard, pages

urlpatterns = [
    path("", dashboard.home, name="home"),
    path(
        "planes/<str:code>/objetivos/<str:obj_code>/",
        pages.objective_detail,
        name="objective-detail",
    ),
    # Indicator codes carry dots ("13.2"): <str:> takes anything but a slash.
    path(
        "planes/<str:code>/indicadores/<str:ind_code>/",
        pages.indicator_detail,
        name="indicator-detail",
    ),
]
