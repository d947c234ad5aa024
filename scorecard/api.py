"""``GET /api/v1/plans/<CODE>/scorecard/?period=P`` (CONTRACT.md), for integrations."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from planning import access
from planning.models import Plan
from planning.periods import InvalidPeriod, Period
from scorecard import cache
from scorecard.serializers import scorecard_json
from scorecard.tokens import user_for_bearer


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def scorecard_view(request, code: str):
    user = request.user
    if "HTTP_AUTHORIZATION" in request.META:
        user = user_for_bearer(request.META["HTTP_AUTHORIZATION"])
    if user is None or not user.is_authenticated:
        response = _error(401, "autenticación requerida: sesión o token Bearer válido")
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if not access.can_read_plans(user):
        return _error(404, "no encontrado")
    try:
        cutoff = Period.parse(request.GET.get("period", ""))
    except InvalidPeriod:
        return _error(400, "periodo no válido: use 2019, 2019-S1, 2019-T2 o 2019-03")
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        return _error(404, f"no existe el plan {code}")
    unvalidated = request.GET.get("unvalidated") == "1"
    if unvalidated and not access.can_see_all_unvalidated(user):
        return _error(403, "solo Planificación y Dirección ven valores sin validar")
    card = cache.scorecard(plan, cutoff, include_unvalidated=unvalidated)
    return JsonResponse(scorecard_json(card), json_dumps_params={"ensure_ascii": False})
