from planning.models.indicators import Indicator, Target
from planning.models.revision import DataRevision
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
    "DataRevision",
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
