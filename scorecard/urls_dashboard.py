from django.urls import path

from scorecard.views import dashboard

urlpatterns = [
    path("", dashboard.home, name="home"),
]
