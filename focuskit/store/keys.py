"""Staff access keys: made at random, kept only as salted scrypt hashes, checked in constant
time. A key reads ``<key id>.<secret>``; the id finds the one row to check, so a wrong key
costs one hash, not one per staff member."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt at n=2**14, r=8: about 16 MB and some tens of milliseconds per check.
_N, _R, _P = 2 ** 14, 8, 1


def new_key() -> tuple[str, str]:
    """A fresh key and its public id: ``(key_id, key)``."""
    key_id = secrets.token_hex(6)
    return key_id, f"{key_id}.{secrets.token_urlsafe(24)}"


def key_id_of(key: str) -> str | None:
    """The id part of a key, or None when it does not look like a staff key."""
    if not isinstance(key, str) or len(key) > 200:
        return None
    key_id, dot, secret = key.partition(".")
    if not dot or not secret or len(key_id) != 12:
        return None
    return key_id


def _scrypt(key: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(key.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=64 * 1024 * 1024)


def hash_key(key: str) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${_scrypt(key, salt, _N, _R, _P).hex()}"


def verify_key(key: str, stored: str | None) -> bool:
    """Whether ``key`` matches the ``stored`` hash. With no hash (an unknown key id) the
    same work is done against a dummy, so timing does not tell a known id from an unknown."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        params, salt_b, want = (int(n), int(r), int(p)), bytes.fromhex(salt), bytes.fromhex(digest)
    except ValueError:
        params, salt_b, want, stored = (_N, _R, _P), b"\0" * 16, b"\0" * 32, None
    got = _scrypt(key, salt_b, *params)
    return hmac.compare_digest(got, want) and stored is not None
