from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from trm.api import api
from trm.core import views as core_views
from trm.federation import views as federation_views

# The admin signs in through trm's own login, which asks for the second factor.
admin.site.login = RedirectView.as_view(pattern_name="accounts:login", query_string=True)

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(".well-known/trm-node", federation_views.node_document, name="node-document"),
    path("federation/inbox", federation_views.inbox, name="federation-inbox"),
    path("federation/inbox/part", federation_views.inbox_part, name="federation-inbox-part"),
    path("federation/status", federation_views.status, name="federation-status"),
    path("federation/directory", federation_views.directory_document, name="federation-directory"),
    path("accounts/", include("trm.accounts.urls")),
    path("directory/", include("trm.directory.urls")),
    path("audit/", include("trm.audit.urls")),
    path("cases/", include("trm.cases.urls")),
    path("referrals/", include("trm.referrals.urls")),
    path("consent/", include("trm.consent.urls")),
    path("rights/", include("trm.rights.urls")),
    path("notifications/", include("trm.deadlines.urls")),
    path("api/", api.urls),
    path("api-tokens/", include("trm.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.not_found
handler500 = core_views.server_error
