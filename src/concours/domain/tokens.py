"""Keyed hashes of secrets handed out (voting codes, application invitation links): what the database keeps
instead of the secret, useless for finding or enumerating secrets without the installation's secret key."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the secret key, separated by ``purpose`` (so one kind of secret never
    matches another's hash), as 64 hex characters."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
