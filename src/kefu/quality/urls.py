"""Workspace pages of the quality app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.quality import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/", views.my_quality, name="quality"),
    path("quality/team/", views.team_quality, name="quality-team"),
    path("quality/inspections/", views.inspection_list, name="quality-inspections"),
    path("quality/inspections/<int:pk>/", views.inspection_detail, name="quality-inspection"),
    path("quality/inspections/<int:pk>/review/", views.review, name="quality-review"),
    path("quality/checks/<int:pk>/appeal/", views.appeal, name="quality-appeal"),
    path("quality/checks/<int:pk>/decide/", views.decide, name="quality-decide"),
    path("quality/sample/", views.sample, name="quality-sample"),
]
