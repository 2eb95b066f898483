from django.contrib import admin
from django.urls import include, path

from kefu.core.views import healthz
from kefu.web.api import api
from kefu.web.favicon import favicon

admin.site.site_header = "kefu 客服"
admin.site.site_title = "kefu 客服"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("kefu.intake.widget.urls")),
    path("", include("kefu.intake.wechat_mp.urls")),
    path("", include("kefu.finder.urls")),
    path("", include("kefu.web.urls")),
]
