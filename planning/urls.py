from django.urls import path

from planning import views

urlpatterns = [
    path("planes/", views.plan_list, name="plan-list"),
    path("planes/<str:code>/", views.plan_detail, name="plan-detail"),
]
