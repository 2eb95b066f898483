from django.urls import path

from kefu.intake.wechat_mp.views import callback

app_name = "wechat_mp"
urlpatterns = [path("hooks/wechat/<slug:key>/", callback, name="callback")]
