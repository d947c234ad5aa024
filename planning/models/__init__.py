from planning.models.indicators import Indicator, Target
from planning.models.structure import (
    ExpectedResult,
    Gadp,
    Institution,
    InstitutionalPolicy,
    ObjectiveLink,
    OrgUnit,
    Perspective,
    Plan,
    Principle,
    StrategicObjective,
    Strategy,
)

__all__ = [
    "ExpectedResult",
    "Gadp",
    "Indicator",
    "Institution",
    "InstitutionalPolicy",
    "ObjectiveLink",
    "OrgUnit",
    "Perspective",
    "Plan",
    "Principle",
    "StrategicObjective",
    "Strategy",
    "Target",
]
