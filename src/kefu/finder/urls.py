from django.urls import path

from kefu.finder import views

app_name = "finder"

urlpatterns = [
    path("search/", views.search_page, name="search"),
]
