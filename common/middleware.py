"""Middleware shared by every page."""

from django.shortcuts import render

from .text import has_nul


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
