"""Workspace pages (knowledge list, article, editor, versions, lexicon, canned library) and the
public help center at /help/: thin views over actions, selectors and search."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.conversations.choices import ChannelKind
from kefu.conversations.models import Channel
from kefu.core import clock
from kefu.core.actions import has_perm
from kefu.core.errors import KefuError
from kefu.core.pages import attempt, need
from kefu.core.text import to_traditional
from kefu.knowledge import actions, selectors
from kefu.knowledge.choices import ArticleCategory, ArticleStatus, CannedCategory
from kefu.knowledge.content import plain_text
from kefu.knowledge.models import Article, ArticleAttachment, CannedReply, SearchWord, SynonymGroup
from kefu.knowledge.search import MAX_QUERY_CHARS, nearest, search

QUERY_LIMIT = 200


def _query(request: HttpRequest) -> tuple[str, str]:
    """The search box's text and the error to show (an over-long query is refused)."""
    q = request.GET.get("q", "").strip()
    if len(q) > QUERY_LIMIT:
        return "", _("A search has at most 200 characters.")
    return q, ""


# -- workspace ------------------------------------------------------------------------------


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    need(request, "knowledge.view_article")
    q, error = _query(request)
    category = request.GET.get("category", "")
    can_edit = has_perm(request.user, "knowledge.change_article")
    hits = search(q, limit=30) if q else []
    articles = selectors.with_feedback(Article.objects.all())
    if category in ArticleCategory.values:
        articles = articles.filter(category=category)
    if not can_edit:
        articles = articles.filter(status=ArticleStatus.PUBLISHED)
    page = Paginator(articles.order_by("category", "title"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/list.html",
        {
            "q": q,
            "error": error,
            "hits": hits,
            "page": page,
            "category": category,
            "categories": ArticleCategory.choices,
            "can_add": has_perm(request.user, "knowledge.add_article"),
        },
    )


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need(request, "knowledge.view_article")
    article = get_object_or_404(selectors.with_feedback(Article.objects.all()), pk=pk)
    can_edit = has_perm(request.user, "knowledge.change_article")
    if not article.is_published and not can_edit:
        raise DjangoPermissionDenied("draft")
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "can_edit": can_edit,
            "can_delete": has_perm(request.user, "knowledge.delete_article"),
            "versions": article.versions.select_related("saved_by")[:30],
            "attachments": article.attachments.all(),
            "comments": article.feedback.exclude(comment="").order_by("-created_at")[:20],
            "related": selectors.related(article),
        },
    )


def _article_fields(request: HttpRequest) -> dict[str, Any]:
    return {
        "title": request.POST.get("title", ""),
        "body": request.POST.get("body", ""),
        "category": request.POST.get("category", ""),
        "is_public": request.POST.get("is_public") == "on",
        "status": request.POST.get("status", ArticleStatus.DRAFT),
        "follow_up": request.POST.get("follow_up", ""),
    }


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk) if pk else None
    need(request, "knowledge.change_article" if article else "knowledge.add_article")
    form: dict[str, Any] = {}
    if article:
        form = {name: getattr(article, name) for name in actions.ARTICLE_FIELDS}
    error = ""
    if request.method == "POST":
        form = _article_fields(request)
        try:
            if article:
                article = actions.check_update_article(article, actor=request.user, now=clock.now(), **form)
            else:
                article = actions.check_create_article(actor=request.user, now=clock.now(), **form)
        except KefuError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(reverse("web:kb-article", args=[article.pk]))
    return render(
        request,
        "knowledge/edit.html",
        {
            "article": article,
            "form": form,
            "error": error,
            "categories": ArticleCategory.choices,
            "statuses": ArticleStatus.choices,
            "can_publish": has_perm(request.user, "knowledge.publish_article"),
        },
        status=400 if error else 200,
    )


@login_required
def article_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    need(request, "knowledge.change_article")
    article = get_object_or_404(Article, pk=pk)
    version = get_object_or_404(article.versions, number=number)
    if request.method == "POST":
        attempt(
            request,
            lambda: actions.check_restore_version(article, number, actor=request.user, now=clock.now()),
            _("Version %(n)d restored.") % {"n": number},
        )
        return HttpResponseRedirect(reverse("web:kb-article", args=[pk]))
    return render(request, "knowledge/version.html", {"article": article, "version": version})


@login_required
@require_POST
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    if attempt(request, lambda: actions.check_delete_article(article, actor=request.user, now=clock.now())):
        return HttpResponseRedirect(reverse("web:kb"))
    return HttpResponseRedirect(reverse("web:kb-article", args=[pk]))


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        from django.contrib import messages

        messages.error(request, _("Choose a file first."))
    else:
        attempt(
            request,
            lambda: actions.check_add_attachment(article, upload, actor=request.user, now=clock.now()),
            _("Attachment added."),
        )
    return HttpResponseRedirect(reverse("web:kb-article", args=[pk]))


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(ArticleAttachment, pk=pk)
    attempt(request, lambda: actions.check_remove_attachment(attachment, actor=request.user, now=clock.now()))
    return HttpResponseRedirect(reverse("web:kb-article", args=[attachment.article_id]))


def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download an article's attachment: anyone for a public published article (the help
    center), signed-in staff otherwise. Images show inline; nothing may run (CSP sandbox)."""
    item = get_object_or_404(ArticleAttachment.objects.select_related("article"), pk=pk)
    article = item.article
    if not (article.is_public and article.is_published) and not has_perm(request.user, "knowledge.view_article"):
        raise Http404
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=not item.is_image, filename=item.name
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@login_required
def lexicon(request: HttpRequest) -> HttpResponse:
    need(request, "knowledge.view_searchword")
    if request.method == "POST":
        now, user, op = clock.now(), request.user, request.POST.get("op", "")
        if op == "add_word":
            attempt(request, lambda: actions.check_add_search_word(request.POST.get("word", ""), actor=user, now=now))
        elif op == "delete_word":
            row = get_object_or_404(SearchWord, pk=request.POST.get("id") or 0)
            attempt(request, lambda: actions.check_delete_search_word(row, actor=user, now=now))
        elif op == "save_synonyms":
            group = SynonymGroup.objects.filter(pk=request.POST.get("id") or 0).first()
            words = request.POST.get("words", "")
            attempt(request, lambda: actions.check_save_synonym_group(words, actor=user, now=now, group=group))
        elif op == "delete_synonyms":
            group = get_object_or_404(SynonymGroup, pk=request.POST.get("id") or 0)
            attempt(request, lambda: actions.check_delete_synonym_group(group, actor=user, now=now))
        return HttpResponseRedirect(reverse("web:kb-lexicon"))
    return render(
        request,
        "knowledge/lexicon.html",
        {
            "words": SearchWord.objects.all(),
            "groups": SynonymGroup.objects.all(),
            "can_edit": has_perm(request.user, "knowledge.add_synonymgroup"),
        },
    )


@login_required
def canned_library(request: HttpRequest) -> HttpResponse:
    need(request, "knowledge.view_cannedreply")
    if request.method == "POST":
        now, user = clock.now(), request.user
        if request.POST.get("op") == "delete":
            reply = get_object_or_404(CannedReply, pk=request.POST.get("id") or 0)
            attempt(request, lambda: actions.check_delete_personal_reply(reply, actor=user, now=now))
        else:
            fields = {k: request.POST.get(k, "") for k in ("title", "text", "category", "shortcut", "note")}
            attempt(
                request,
                lambda: actions.check_create_personal_reply(actor=user, now=now, **fields),
                _("Your canned reply was saved."),
            )
        return HttpResponseRedirect(reverse("web:kb-canned"))
    replies = selectors.canned_visible_to(request.user).select_related("team").order_by("category", "-usage_count")
    groups: dict[str, list[CannedReply]] = {}
    for reply in replies:
        groups.setdefault(reply.get_category_display(), []).append(reply)
    return render(
        request,
        "knowledge/canned.html",
        {"groups": groups, "categories": CannedCategory.choices, "user_id": request.user.pk},
    )


@login_required
@require_POST
def canned_used(request: HttpRequest, pk: int) -> HttpResponse:
    """The composer sent a reply made from canned reply ``pk``: count it."""
    need(request, "knowledge.view_cannedreply")
    if selectors.canned_visible_to(request.user).filter(pk=pk).exists():
        actions.do_count_use(pk)
    return HttpResponse(status=204)


# -- the public help center ------------------------------------------------------------------

HANT = "zh-hant"
VISITOR_COOKIE = "kefu_help_visitor"
LANG_COOKIE = "kefu_help_lang"


def _help_lang(request: HttpRequest) -> str:
    lang = request.GET.get("lang") or request.COOKIES.get(LANG_COOKIE, "")
    if lang not in ("zh-hans", HANT):
        accept = request.headers.get("Accept-Language", "").lower()
        lang = HANT if any(t in accept.split(",")[0] for t in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"
    return lang


def _convert(text: str, lang: str) -> str:
    return to_traditional(text) if lang == HANT else text


def _widget_channel() -> Channel | None:
    return Channel.objects.filter(kind=ChannelKind.WEB_CHAT, is_active=True).order_by("pk").first()


def _help_render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    lang = context["lang"]
    with translation.override(lang):
        response = render(
            request,
            template,
            {**context, "categories": selectors.help_categories(), "channel": _widget_channel(), "hant": lang == HANT},
            status=status,
        )
    if request.GET.get("lang") in ("zh-hans", HANT):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response


def help_home(request: HttpRequest) -> HttpResponse:
    lang = _help_lang(request)
    q, error = _query(request)
    hits, suggestions = [], []
    if q:
        for hit in search(q[:MAX_QUERY_CHARS], limit=20, public_only=True):
            hits.append({"key": hit.key, "title": _convert(hit.title, lang), "snippet": _convert(hit.snippet, lang)})
        if len(hits) < 3:  # few articles share a word: offer the nearest ones by meaning too
            found = {hit["key"] for hit in hits}
            suggestions = [
                {"key": hit.key, "title": _convert(hit.title, lang)}
                for hit in nearest(q, limit=3 + len(found), public_only=True)
                if hit.key not in found
            ][:3]
    category = request.GET.get("category", "")
    articles = selectors.public_articles()
    if category in ArticleCategory.values:
        articles = articles.filter(category=category)
    listed = [{"key": a.key, "title": _convert(a.title, lang), "category": a.category} for a in articles]
    return _help_render(
        request,
        "knowledge/help/home.html",
        {
            "lang": lang,
            "q": q,
            "error": error,
            "hits": hits,
            "suggestions": suggestions,
            "articles": listed,
            "category": category,
        },
        status=400 if error else 200,
    )


def _visitor(request: HttpRequest) -> str:
    raw = request.COOKIES.get(VISITOR_COOKIE, "")
    return hashlib.sha256(raw.encode()).hexdigest() if raw else ""


def help_article(request: HttpRequest, key: str) -> HttpResponse:
    lang = _help_lang(request)
    article = get_object_or_404(selectors.public_articles(), key=key)
    visitor = _visitor(request)
    vote = article.feedback.filter(visitor=visitor).first() if visitor else None
    related = [
        {"key": a.key, "title": _convert(a.title, lang)} for a in selectors.related(article, limit=4, public_only=True)
    ]
    response = _help_render(
        request,
        "knowledge/help/article.html",
        {
            "lang": lang,
            "article": article,
            "title": _convert(article.title, lang),
            "body": _convert(article.body, lang),
            "follow_up": _convert(article.follow_up, lang),
            "description": _convert(plain_text(article.body)[:120], lang),
            "attachments": article.attachments.all(),
            "related": related,
            "vote": vote,
            "thanks": request.GET.get("voted") == "1",
        },
    )
    if not request.COOKIES.get(VISITOR_COOKIE):
        response.set_cookie(VISITOR_COOKIE, secrets.token_urlsafe(24), max_age=365 * 86400, samesite="Lax")
    return response


@require_POST
def help_feedback(request: HttpRequest, key: str) -> HttpResponse:
    article = get_object_or_404(selectors.public_articles(), key=key)
    visitor = _visitor(request)
    url = reverse("web:help-article", args=[key])
    try:
        actions.do_record_feedback(
            article,
            visitor=visitor,
            helpful=request.POST.get("helpful") == "yes",
            comment=request.POST.get("comment", ""),
            now=clock.now(),
        )
    except KefuError as exc:
        return _help_render(
            request,
            "knowledge/help/error.html",
            {"lang": _help_lang(request), "message": exc.message, "back": url},
            status=exc.status,
        )
    return HttpResponseRedirect(f"{url}?voted=1#feedback")
