"""The project's exceptions, in one place.

ArticleQAError                 base; ``status`` and ``code`` drive the HTTP mapping
├── InputError (400)           the caller sent something unusable
│   ├── RecordError            one article record is bad (file + line say where)
│   ├── SourceError            a source path is missing or unreadable
│   └── InvalidRequestError (422)  well-formed input that breaks the rules
├── NotFoundError (404)        unknown article, job or index
├── ConflictError (409)        an operation clashes with one in progress
├── IndexLoadError (503)       no usable index
│   ├── ManifestMismatchError  index built with another model / format
│   └── ChecksumError          a file of the index does not match its manifest
├── EmbedderError (503)        the embedding model cannot be loaded or run
└── BuildError (500)           a build failed for a reason other than input
    └── BuildCancelledError (503)  the process is shutting down

The service adds its own leaves (HTTP input, auth, limits, rate limits) in
service/errors.py, which maps the whole tree to HTTP.
"""

from __future__ import annotations

from typing import Any


class ArticleQAError(Exception):
    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InputError(ArticleQAError):
    status = 400
    code = "bad_input"


class RecordError(InputError):
    code = "bad_record"

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}", details={"path": path, "line": line})
        self.reason = message
        self.path = path
        self.line = line


class SourceError(InputError):
    code = "bad_source"


class InvalidRequestError(InputError):
    status = 422
    code = "invalid_request"


class NotFoundError(ArticleQAError):
    status = 404
    code = "not_found"


class ConflictError(ArticleQAError):
    status = 409
    code = "conflict"


class IndexLoadError(ArticleQAError):
    status = 503
    code = "index_unavailable"


class ManifestMismatchError(IndexLoadError):
    code = "index_mismatch"


class ChecksumError(IndexLoadError):
    code = "index_corrupt"


class EmbedderError(ArticleQAError):
    status = 503
    code = "embedder_unavailable"


class BuildError(ArticleQAError):
    code = "build_failed"


class BuildCancelledError(BuildError):
    status = 503
    code = "shutting_down"
