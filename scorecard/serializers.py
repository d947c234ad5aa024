"""The scorecard as the JSON of CONTRACT.md (the API, the command and integrations)."""

from decimal import Decimal

from scorecard.arithmetic import round_half_up
from scorecard.assembly import Scorecard


def _number(value: Decimal | None) -> float | None:
    """Rounded half up to 2 decimals; JSON has no decimals, so a float of that figure."""
    rounded = round_half_up(value)
    return None if rounded is None else float(rounded)


def _node(code: str | None, node) -> dict:
    body = {
        "achievement": _number(node.achievement),
        "status": node.status,
        "with_data": node.with_data,
        "total": node.total,
    }
    return body if code is None else {"code": code, **body}


def scorecard_json(card: Scorecard) -> dict:
    """The contract's shape, in the plan's order; ``null`` where there is no figure."""
    data = {
        "plan": card.plan.code,
        "period": card.cutoff.code,
        "score": _node(None, card.node),
        "perspectives": [_node(p.code, p.node) for p in card.perspectives],
        "objectives": [_node(o.code, o.node) for o in card.objectives],
        "indicators": [
            {
                "code": i.code,
                "value": _number(i.result.value),
                "target": _number(i.result.target),
                "achievement": _number(i.result.achievement),
                "status": i.result.status,
            }
            for i in card.indicators
        ],
    }
    if card.include_unvalidated:
        data["include_unvalidated"] = True
        for row, item in zip(card.indicators, data["indicators"], strict=True):
            item["provisional"] = row.provisional
    return data
