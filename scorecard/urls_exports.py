from django.urls import path

from scorecard.views import exports

urlpatterns = [
    path("planes/<str:code>/cmi.xlsx", exports.scorecard_xlsx, name="scorecard-xlsx"),
]
