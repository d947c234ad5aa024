from django.urls import path

from scorecard.views import imports

urlpatterns = [
    path("importar/", imports.import_start, name="import-start"),
    path("importar/plantilla/", imports.import_template, name="import-template"),
    path("importar/historial/", imports.import_history, name="import-history"),
    path("importar/<int:pk>/", imports.import_preview, name="import-preview"),
    path("importar/<int:pk>/confirmar/", imports.import_confirm, name="import-confirm"),
    path("importar/<int:batch_pk>/deshacer/", imports.import_undo_view, name="import-undo"),
]
