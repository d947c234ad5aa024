from django.urls import path

from scorecard.views import periods, validation

urlpatterns = [
    path("validacion/", validation.validation_queue, name="validation-queue"),
    path(
        "validacion/validar-seleccionados/",
        validation.measurements_validate_selected,
        name="measurements-validate-selected",
    ),
    path(
        "validacion/<int:pk>/validar/",
        validation.measurement_validate,
        name="measurement-validate",
    ),
    path("validacion/<int:pk>/devolver/", validation.measurement_return, name="measurement-return"),
    path("validacion/<int:pk>/reabrir/", validation.measurement_reopen, name="measurement-reopen"),
    path("periodos-cerrados/", periods.closed_periods, name="closed-periods"),
    path(
        "periodos-cerrados/<int:pk>/abrir/",
        periods.closed_period_reopen,
        name="closed-period-reopen",
    ),
]
