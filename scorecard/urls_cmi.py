from django.urls import path

from scorecard.views import cmi

urlpatterns = [
    path("planes/<str:code>/cmi/", cmi.cmi, name="cmi"),
    path("planes/<str:code>/mapa/", cmi.strategy_map_view, name="strategy-map"),
]
