from django.urls import path

from scorecard import views

urlpatterns = [
    path("", views.home, name="home"),
]
