"""Middleware: Korean pages first, whatever the browser asks for."""

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
