"""
Middleware shared by every page: the response headers every page needs and Django does not
set (what the browser may use, Permissions-Policy, and that a logged-in user's pages are kept
in no cache), and the refusal of a request that carries NUL.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from .text import has_nul


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header of ``{feature: allowed origins}``; an empty list allows none."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class ResponseHeadersMiddleware:
    """
    On every response, the ``PERMISSIONS_POLICY`` setting as a Permissions-Policy header: the
    browser features the site does not use (camera, microphone, geolocation …) are denied to
    it and to anything it might embed.

    A logged-in user's response that says nothing of caching gets ``Cache-Control: private,
    no-store``: no shared cache or back button keeps a page with a department's unpublished
    texts or the user's name. What says how it is cached is left as it is (the adopted
    editions' files, public for a day), and so is what anyone may see without logging in
    (the public pages, the static files).

    It comes first in ``MIDDLEWARE``, so that it sees every response, also the static files
    WhiteNoise answers before the session is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.policy
        user = getattr(request, "user", None)  # absent where WhiteNoise answered
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefuseNulMiddleware:
    """
    Refuse a request whose form data or query holds NUL (U+0000) with a 400 that says why,
    before any view runs: PostgreSQL cannot store NUL in a text, and no keyboard types
    it, so such a post changes nothing. The page tells the user to go back, where the
    browser still holds what they wrote.

    It checks in ``process_view``, after the CSRF check, so that a forged post gets the
    CSRF answer and not this one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        data = [request.GET]
        if request.method == "POST":
            data.append(request.POST)
        for query in data:
            for key, values in query.lists():
                if has_nul(key) or any(has_nul(value) for value in values):
                    return render(request, "text_refused.html", status=400)
        return None
