from django.urls import path

from scorecard import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("api/v1/plans/<str:code>/scorecard/", api.scorecard_view, name="api-scorecard"),
]
