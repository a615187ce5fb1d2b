"""
Uploads: their size, checked before they are read, and files staged between a preview and
its confirmation (an import shows what a file would change, and only the admin's
confirmation applies it, without sending the file again).

A staged file waits in the default storage, ``staged-uploads/<token>``, with its metadata
beside it (``<token>.json``: the user, the import it is for, its name, the values staged with
it); the session holds only the token, so the session stays small whatever the file. It is
taken once, by the user who staged it, within ``settings.UPLOAD_STAGE_SECONDS``; taking it
removes it, and ``staged_uploads_remove_expired`` (a beat task) removes what was left. Only the
storage's API is used, so that the file may wait in an S3 bucket that every machine shares,
and the one request that takes it is chosen in the cache that every process shares.
"""

import datetime
import json
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import get_random_string

from .tabular import TabularFileError, check_file_size

STAGE_DIR = "staged-uploads"
_TOKEN = re.compile(r"[A-Za-z0-9]{32}")


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """
    Spool an upload to a temporary file, as Django does, but keep no byte beyond
    ``settings.UPLOAD_MAX_BYTES``: the rest is counted, not kept, so the file's ``size`` is
    still its real size, which refuses it (``validate_upload_size``) without filling the disk.
    """

    def receive_data_chunk(self, raw_data, start):
        room = settings.UPLOAD_MAX_BYTES + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])


def validate_upload_size(file) -> None:
    """A form field's validator: refuse an uploaded file over the size limit, before it is read."""
    try:
        check_file_size(file.size)
    except TabularFileError as error:
        raise ValidationError(str(error), code="file_size") from None


def _paths(token: str) -> tuple[str, str]:
    """The staged content and its metadata."""
    base = f"{STAGE_DIR}/{token}"
    return base, f"{base}.json"


def _remove(token: str) -> None:
    for path in _paths(token):
        default_storage.delete(path)


def upload_stage(request: HttpRequest, key: str, *, name: str, content: bytes, **extra) -> str:
    """
    Keep an uploaded file in storage between its preview and the admin's confirmation, for
    the import ``key``; return the token the confirming form sends back. A file staged
    earlier for the same import in this session is removed.
    """
    token = get_random_string(32)
    content_path, meta_path = _paths(token)
    default_storage.save(content_path, ContentFile(content))
    meta = {
        "user": request.user.pk,
        "key": key,
        "name": name,
        "extra": extra,
        "staged_at": timezone.now().isoformat(),
    }
    default_storage.save(meta_path, ContentFile(json.dumps(meta).encode()))
    earlier = request.session.get(key)
    if isinstance(earlier, str) and _TOKEN.fullmatch(earlier):
        _remove(earlier)
    request.session[key] = token
    return token


upload_stage.alters_data = True


def _claim(token: str) -> bool:
    """
    Mark the staged file taken; False if another request took it first. ``cache.add`` sets
    the mark only where there is none, in one step: in Redis (production, ``CACHE_URL``) for
    every process on every machine. (A storage cannot say that alone: S3 overwrites, or
    checks and then writes, so two requests could both believe they took the file.)
    """
    return cache.add(f"staged-upload-taken:{token}", True, timeout=max(settings.UPLOAD_STAGE_SECONDS, 0) + 60)


def upload_take(request: HttpRequest, key: str) -> dict | None:
    """
    Return the file staged for the import ``key`` if the confirming form sends its token:
    ``name``, ``content`` (bytes) and the extra values staged with it. Taken once, only by
    the user who staged it; None if it is gone, expired, or another user's.
    """
    token = request.session.pop(key, None)
    if not isinstance(token, str) or not _TOKEN.fullmatch(token) or token != request.POST.get("token"):
        return None
    content_path, meta_path = _paths(token)
    if not default_storage.exists(meta_path) or not _claim(token):
        return None
    try:
        with default_storage.open(meta_path) as f:
            meta = json.loads(f.read())
        if meta["user"] != request.user.pk or meta["key"] != key:
            return None
        staged_at = datetime.datetime.fromisoformat(meta["staged_at"])
        if timezone.now() - staged_at > datetime.timedelta(seconds=settings.UPLOAD_STAGE_SECONDS):
            return None
        with default_storage.open(content_path) as f:
            content = f.read()
    except (OSError, ValueError, KeyError):
        return None
    finally:
        _remove(token)
    return {**meta["extra"], "name": meta["name"], "content": content}


upload_take.alters_data = True


def staged_uploads_remove_expired() -> int:
    """Remove every staged file older than ``settings.UPLOAD_STAGE_SECONDS``; return how many files."""
    try:
        _dirs, files = default_storage.listdir(STAGE_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.UPLOAD_STAGE_SECONDS)
    removed = 0
    for name in files:
        path = f"{STAGE_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:  # taken meanwhile
            continue
    return removed
