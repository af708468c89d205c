"""Middleware: Korean pages first, whatever the browser asks for; records never cached."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class KoreanFirstMiddleware:
    """Pages are Korean unless the user picked English with the header switch.

    A browser's Accept-Language (often en-US on shared office PCs) does not decide
    the page language; the language cookie does. API clients still negotiate.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class NoStoreMiddleware:
    """Record pages and API answers are never kept by a browser or a proxy cache.

    A shared office PC's back button or disk cache must not show the next user a
    household, an inbox or an export; static files stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        # Token-authenticated API calls look anonymous here (DRF signs them in inside the
        # view), so every /api/ answer is covered whoever asked.
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        if signed_in or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True)
        return response
