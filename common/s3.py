"""
The S3-compatible storage of the generated and staged files (``STORAGE_BACKEND=s3``), for
an installation whose web processes and Celery workers run on several machines: Amazon S3,
MinIO, Ceph's RADOS Gateway or a Swedish cloud's object storage. Chosen and configured in
``asn/settings/base.py``; django-storages does the work: https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html

As the app uses its storage:
- The bucket stays private (``private`` ACL) and no file is ever sent by its bucket address:
  the app's views check who may read a file and stream it themselves. ``url()`` therefore
  signs nothing (no querystring auth): an address that leaks reads nothing from a private bucket.
- A save never overwrites (as on the file system): a name that is taken gets another one.
- A file read is streamed from the bucket as it is sent on, not first copied whole into
  memory (django-storages' own file does that).
- A file that is gone is ``FileNotFoundError``, as on the file system, also for its time.
"""

from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name


def _missing(error: ClientError) -> bool:
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404 or error.response.get(
        "Error", {}
    ).get("Code") in ("404", "NoSuchKey")


class StreamedFile(File):
    """A stored file opened for reading: its body streamed from the bucket, its size known beforehand."""

    def __init__(self, body, *, name: str, size: int) -> None:
        super().__init__(body, name=name)
        self.size = size

    def seekable(self) -> bool:
        return False

    def chunks(self, chunk_size=None):
        yield from self.file.iter_chunks(chunk_size or self.DEFAULT_CHUNK_SIZE)


class S3Storage(BaseS3Storage):
    """django-storages' S3 storage with the app's rules (see the module's text)."""

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(default_acl="private", querystring_auth=False, file_overwrite=False)
        return defaults

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            response = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        return StreamedFile(response["Body"], name=name, size=response["ContentLength"])

    def get_modified_time(self, name):
        try:
            return super().get_modified_time(name)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
