"""
Uploads staged between a preview and its confirmation: an import shows what a file would
change, and only the admin's confirmation applies it, without sending the file again.
"""

import base64

from django.http import HttpRequest
from django.utils.crypto import get_random_string


def upload_stage(request: HttpRequest, key: str, *, name: str, content: bytes, **extra) -> str:
    """
    Keep an uploaded file in the session (not on disk) between its preview and the admin's
    confirmation; return the token the confirming form sends back.
    """
    token = get_random_string(32)
    request.session[key] = {
        "token": token,
        "name": name,
        "content": base64.b64encode(content).decode("ascii"),
        **extra,
    }
    return token


def upload_take(request: HttpRequest, key: str) -> dict | None:
    """
    Return the file staged under ``key`` if the confirming form sends its token: ``name``,
    ``content`` (bytes) and the extra values staged with it. Taken once; None if expired.
    """
    staged = request.session.pop(key, None)
    if not staged or staged["token"] != request.POST.get("token"):
        return None
    return {**staged, "content": base64.b64decode(staged["content"])}
