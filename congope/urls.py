from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from congope import health, login_audit

admin.site.site_header = _("CONGOPE — Plan estratégico")
admin.site.site_title = _("Administración del plan")
admin.site.index_title = _("Administración")
login_audit.register(admin.site)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "ingresar/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("salir/", auth_views.LogoutView.as_view(), name="logout"),
    path("segundo-factor/", include("congope.second_factor.urls")),
    path("admin/", admin.site.urls),
    path("salud/", health.health, name="health"),
    path("", include("planning.urls")),
    path("", include("scorecard.urls")),
]
