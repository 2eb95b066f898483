"""Pages of the knowledge app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.knowledge import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("kb/", views.article_list, name="kb"),
    path("kb/new/", views.article_edit, name="kb-new"),
    path("kb/<int:pk>/", views.article_detail, name="kb-article"),
    path("kb/<int:pk>/edit/", views.article_edit, name="kb-edit"),
    path("kb/<int:pk>/delete/", views.article_delete, name="kb-delete"),
    path("kb/<int:pk>/versions/<int:number>/", views.article_version, name="kb-version"),
    path("kb/<int:pk>/attachments/", views.attachment_add, name="kb-attachment-add"),
    path("kb/attachments/<int:pk>/", views.attachment_file, name="kb-attachment"),
    path("kb/attachments/<int:pk>/remove/", views.attachment_remove, name="kb-attachment-remove"),
    path("kb/lexicon/", views.lexicon, name="kb-lexicon"),
    path("kb/canned/", views.canned_library, name="kb-canned"),
    path("kb/canned/<int:pk>/used/", views.canned_used, name="kb-canned-used"),
    path("help/", views.help_home, name="help"),
    path("help/a/<slug:key>/", views.help_article, name="help-article"),
    path("help/a/<slug:key>/feedback/", views.help_feedback, name="help-feedback"),
]
