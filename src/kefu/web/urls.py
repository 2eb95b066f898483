from django.contrib.auth import views as auth_views
from django.urls import include, path
from kefu.web import chat, views
from kefu.web.forms import LoginForm

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/rows/", chat.inbox_rows, name="inbox-rows"),
    path("inbox/badge/", chat.unread_badge, name="inbox-badge"),
    path("inbox/pick/", chat.pick_next, name="inbox-pick"),
    path("channels/", chat.channels, name="channels"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:pk>/reply/", views.conversation_reply, name="conversation-reply"),
    path("conversations/<int:pk>/status/", views.conversation_status, name="conversation-status"),
    path("conversations/<int:pk>/assign/", views.conversation_assign, name="conversation-assign"),
    path("conversations/<int:pk>/classify/", views.conversation_classify, name="conversation-classify"),
    path("", include("kefu.tickets.urls")),
    path("", include("kefu.sla.urls")),
    path("", include("kefu.intake.urls")),
    path("", include("kefu.knowledge.urls")),
    path("", include("kefu.bot.urls")),
    path("", include("kefu.assist.urls")),
    path("", include("kefu.aftersales.urls")),
    path("", include("kefu.cases.urls")),
    path("", include("kefu.complaints.urls")),
    path("", include("kefu.quality.urls")),
    path("", include("kefu.customers.urls")),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("presence/", views.presence, name="presence"),
    path("language/", views.language, name="language"),
]
