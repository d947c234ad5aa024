from django.urls import path

from congope.second_factor import devices, views

urlpatterns = [
    path("activar/", views.enrol, name=devices.ENROL),
    path("verificar/", views.verify, name=devices.VERIFY),
    path("codigos-de-recuperacion/", views.recovery_codes, name=devices.CODES),
]
