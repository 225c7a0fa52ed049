"""Keeps API keys out of everything a run writes.

Keys are read only from environment variables that a recipe names (`api_key_env`). Each name read is remembered,
and so is each value read (a client keeps sending the key it was built with after the variable changes), and `scrub`
replaces those values, the current value of every remembered variable and anything shaped like an OpenAI or Google
key with `***`. Error details pass through `scrub` before they reach a cache, a ledger, a run record or a log.
"""

from __future__ import annotations

import logging
import os
import re

REDACTED = "***"

# Values shorter than this are not scrubbed by value: replacing every "abc" in a log would destroy it, and a key
# that short is a local placeholder, not a secret. The shape patterns below still catch real keys.
MIN_SECRET_LENGTH = 6

_KEY_SHAPES = re.compile(
    r"sk-[A-Za-z0-9_\-]{8,}"  # OpenAI and most OpenAI-compatible services
    r"|AIza[0-9A-Za-z_\-]{20,}"  # Google API keys
    r"|(?<=Bearer )[A-Za-z0-9._\-]{8,}",  # any bearer token echoed in a header dump
    flags=re.IGNORECASE,
)

_secret_env_names: set[str] = set()
_secret_values_read: set[str] = set()


class MissingSecretError(RuntimeError):
    pass


def register_secret_env(name: str) -> None:
    """Marks an environment variable as holding a secret, so `scrub` removes its value from text."""
    _secret_env_names.add(name)


def api_key_from_env(env_name: str, owner: str) -> str:
    """Reads a key from the environment; the error names the variable, never a value."""
    register_secret_env(env_name)
    value = os.environ.get(env_name, "").strip()
    if not value:
        raise MissingSecretError(
            f"{owner}: environment variable {env_name} (api_key_env) is not set; export it, "
            f"or set api_key_env to the variable that holds the key"
        )
    _secret_values_read.add(value)
    return value


def scrub(text: str) -> str:
    values = {os.environ.get(name, "").strip() for name in _secret_env_names} | _secret_values_read
    for value in sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return _KEY_SHAPES.sub(REDACTED, text)


class ScrubFilter(logging.Filter):
    """Attach to a log handler so no record it writes can carry a key (SDK debug logs included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Rendered tracebacks include exception messages, which may quote a request; render and scrub now.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
