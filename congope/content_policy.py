"""The Content-Security-Policy header (django-csp 4), with one narrow exception.

Our pages have no inline script, event handler or style attribute, and the policy in
``settings.CONTENT_SECURITY_POLICY`` forbids them; so does Django's admin, which runs under
the same strict policy. django-import-export's admin import and export pages are the
exception: they use an ``onchange=`` handler and ``style=`` attributes (PITFALLS 15). On
those views only (admin URL names ending in ``_import``, ``_process_import``, ``_export``)
inline *attributes* are allowed (``script-src-attr``/``style-src-attr``); inline
``<script>`` elements stay forbidden there too. A browser without CSP level 3 ignores the
two directives and applies the strict policy: the export page's "select all" box then does
nothing, nothing else breaks. No admin of ours uses import-export's mixins today, so no page
gets the exception until one does.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

IMPORT_EXPORT_VIEWS = ("_import", "_process_import", "_export")
INLINE_ATTRIBUTES = {"script-src-attr": [UNSAFE_INLINE], "style-src-attr": [UNSAFE_INLINE]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.update is None and needs_inline_attributes(request):
            parts.update = INLINE_ATTRIBUTES
        return parts


def needs_inline_attributes(request) -> bool:
    """Whether the request is for one of django-import-export's admin pages."""
    match = getattr(request, "resolver_match", None)
    return (
        match is not None
        and match.namespace == "admin"
        and (match.url_name or "").endswith(IMPORT_EXPORT_VIEWS)
    )
