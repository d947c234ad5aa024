"""Pages of the plan: reading it (``plans``) and editing it (``edit_area``, ``elements``,
``targets``)."""

from planning.views.edit_area import plan_edit
from planning.views.elements import element_create, element_delete, element_edit
from planning.views.plans import plan_detail, plan_list
from planning.views.targets import target_grid

__all__ = [
    "element_create",
    "element_delete",
    "element_edit",
    "plan_detail",
    "plan_edit",
    "plan_list",
    "target_grid",
]
