"""Workspace pages of the cases app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.cases import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/finance/", views.finance_queue, name="cases-finance"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/event/", views.case_event, name="case-event"),
    path("cases/<int:pk>/pay/", views.case_pay_confirm, name="case-pay"),
    path("cases/<int:pk>/photos/", views.case_photos, name="case-photos"),
    path("cases/photos/<int:pk>/", views.case_photo, name="case-photo"),
    path("compensations/", views.compensation_list, name="compensations"),
    path("compensations/new/", views.compensation_new, name="compensation-new"),
    path("compensations/report/", views.cost_report, name="compensation-report"),
    path("compensations/<int:pk>/decide/", views.compensation_decide, name="compensation-decide"),
]
