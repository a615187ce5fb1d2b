"""
Sending a stored file (a report build's, an adopted edition's) to the browser, from whatever
storage holds it: the file system of one machine or an S3 bucket that every machine shares.
The view has checked who may read it; the file is streamed from the storage, never sent by a
path on this machine's disk or by the storage's own address.
"""

from django.http import FileResponse, Http404


def stored_file_response(file, *, as_attachment: bool, content_type: str | None = None) -> FileResponse:
    """
    A response that streams ``file`` (a model's ``FieldFile``) from its storage under its own
    name; 404 when the field is empty or the storage no longer has the file.
    """
    if not file:
        raise Http404
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=file.name.rsplit("/", 1)[-1], content_type=content_type
    )
    # Known before the first byte on every storage (a stream from S3 cannot be measured by seeking).
    response["Content-Length"] = handle.size
    return response
