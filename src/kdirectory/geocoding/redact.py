"""Keep API keys out of messages and logs.

Provider errors and URLs can carry the key: in a query string (``key=…``, ``api_key=…``,
``token=…``) or echoed back in the provider's own error text. Every message kdirectory
builds from them goes through :func:`redact`, and geopy's log lines go through
:class:`RedactingFilter`, which also hides the key of the provider whose request is running.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"

# ``key=value`` in a query string or text: key, api_key, apikey, api-key, access_token,
# token, … The value runs to the next separator.
_SECRET_PARAMETER = re.compile(
    r"(?i)(?<![\w-])((?:[\w-]*api[_-]?)?key|(?:[\w-]*_)?token)=([^&\s'\"<>#;,)]+)"
)

# The keys of the provider whose request is running in this thread (see :func:`keys_in_use`).
_in_use: ContextVar[tuple[str, ...]] = ContextVar("kdirectory_geocoding_keys", default=())


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each of ``secrets`` (and its URL-encoded forms), the keys of the
    request under way (:func:`keys_in_use`), and every ``key=``/``api_key=``/``token=``
    value replaced by ``[redacted]``."""
    every = {secret for secret in (*secrets, *_in_use.get()) if secret}
    forms = {form for secret in every for form in (secret, quote(secret), quote_plus(secret))}
    for form in sorted(forms, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(form, REDACTED)
    return _SECRET_PARAMETER.sub(lambda found: f"{found.group(1)}={REDACTED}", text)


@contextmanager
def keys_in_use(secrets: Iterable[str]) -> Iterator[None]:
    """While the block runs (in this thread), geopy's log lines and :func:`redact` hide
    ``secrets`` too."""
    install_log_filter()
    token = _in_use.set(tuple(secret for secret in secrets if secret))
    try:
        yield
    finally:
        _in_use.reset(token)


class RedactingFilter(logging.Filter):
    """Rewrites each record of the logger it is attached to with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Attach the redacting filter to geopy's logger (it logs request URLs and the text of
    providers' error answers); doing so twice changes nothing."""
    logger = logging.getLogger("geopy")  # every geopy module logs through this one logger
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
