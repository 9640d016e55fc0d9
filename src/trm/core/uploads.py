"""Uploads held in memory only, up to the attachment limit, refused as soon as they are known to
be larger: from the request's Content-Length before anything is read, or while streaming.

Django's default handlers spool a large upload to the system's temporary folder, in clear,
before any view can refuse it; a case's documents (passports, medical reports) must never touch
the disk unencrypted. This handler is the only one (settings.FILE_UPLOAD_HANDLERS): a file over
the limit is skipped, its bytes read and dropped, while the form's other fields (the CSRF token)
are kept, so the page can say why nothing was attached.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# Room for the form's own fields and the multipart framing around the file.
FORM_ALLOWANCE = 64 * 1024


def upload_was_too_large(request) -> bool:
    """Whether this request's upload was refused for its size (so FILES lacks it)."""
    return getattr(request, "upload_too_large", False)


class BoundedMemoryUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.ATTACHMENT_MAX_BYTES
        self.too_large = content_length > self.limit + FORM_ALLOWANCE
        return None  # the multipart parser goes on, with this handler receiving the files

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()
        if self.too_large or (self.content_length or 0) > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.file = io.BytesIO()  # what was received so far is dropped
            self._refuse()
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _refuse(self):
        self.request.upload_too_large = True
        raise SkipFile()
