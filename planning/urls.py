from django.urls import path

from planning import views

# Each kind of element: its URL segment and the prefix of its URL names.
ELEMENTS = [
    ("perspectivas", "perspective"),
    ("objetivos", "objective"),
    ("estrategias", "strategy"),
    ("resultados", "result"),
    ("indicadores", "indicator"),
    ("unidades", "unit"),
]


def _element_urls(segment: str, key: str) -> list:
    base = f"planes/<str:code>/editar/{segment}/"
    kind = {"kind": key}
    return [
        path(f"{base}nuevo/", views.element_create, kind, name=f"{key}-create"),
        path(f"{base}<str:item>/", views.element_edit, kind, name=f"{key}-edit"),
        path(f"{base}<str:item>/eliminar/", views.element_delete, kind, name=f"{key}-delete"),
    ]


urlpatterns = [
    path("planes/", views.plan_list, name="plan-list"),
    path("planes/<str:code>/", views.plan_detail, name="plan-detail"),
    path("planes/<str:code>/editar/", views.plan_edit, name="plan-edit"),
    # Indicator codes carry dots ("13.2"): <str:> takes anything but a slash.
    path(
        "planes/<str:code>/editar/indicadores/<str:ind_code>/metas/",
        views.target_grid,
        name="target-grid",
    ),
    *(url for segment, key in ELEMENTS for url in _element_urls(segment, key)),
]
