from django.urls import path

from kefu.intake.widget import views

urlpatterns = [
    path("widget.js", views.widget_js, name="widget-js"),
    path("widget/<slug:key>/", views.frame, name="widget-frame"),
    path("widget/<slug:key>/try/", views.try_page, name="widget-try"),
    path("widget/<slug:key>/upload/", views.upload, name="widget-upload"),
    path("widget/<slug:key>/leave-message/", views.leave_message, name="widget-leave"),
    path("widget/attachments/<int:pk>/<str:signature>/", views.attachment, name="widget-attachment"),
]
