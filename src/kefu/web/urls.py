from django.contrib.auth import views as auth_views
from django.urls import include, path

from kefu.web import views
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
    path("", include("kefu.conversations.urls")),
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
    path("presence/", views.presence, name="presence"),
    path("language/", views.language, name="language"),
]
