"""The service's Ed25519 keys that sign published versions' records (notices/chain.py).

The current key is a PEM file (``settings.NOTICE_SIGNING_KEY_FILE``); retired
keys are kept as public keys only (``settings.NOTICE_SIGNING_RETIRED_KEYS_FILE``,
PEM blocks one after another) so the records they signed stay verifiable after
a rotation. A key's id is derived from its public key: nothing to configure,
and the same key has the same id on every server. Keys are read from the files
when they change (their modification time), not on every request.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEYS_FORMAT = "tietosuoja-signing-keys/1"
PEM_END = b"-----END PUBLIC KEY-----"


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def generate_key_file(path: Path) -> Ed25519PrivateKey:
    """A new key written to ``path`` as unencrypted PKCS#8 PEM, readable by its owner only.

    The file is created exclusively: an existing key is never overwritten.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as output:
        output.write(pem)
    return key


def _modified(name: str) -> int:
    try:
        return os.stat(name).st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=4)
def _private(name: str, modified: int) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(name).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"NOTICE_SIGNING_KEY_FILE {name}: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"NOTICE_SIGNING_KEY_FILE {name} is not an Ed25519 key.")
    return key


@lru_cache(maxsize=4)
def _retired(name: str, modified: int) -> tuple[Ed25519PublicKey, ...]:
    try:
        content = Path(name).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(f"NOTICE_SIGNING_RETIRED_KEYS_FILE {name}: {error}") from error
    keys = []
    for block in content.split(PEM_END)[:-1]:
        try:
            key = serialization.load_pem_public_key(block + PEM_END)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"NOTICE_SIGNING_RETIRED_KEYS_FILE {name}: {error}"
            ) from error
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured(f"NOTICE_SIGNING_RETIRED_KEYS_FILE {name}: not Ed25519.")
        keys.append(key)
    return tuple(keys)


def signing_key() -> Ed25519PrivateKey | None:
    """The current key; None if none is configured.

    Where ``settings.NOTICE_SIGNING_KEY_GENERATE`` allows it (local runs and
    tests only) a missing key file is created with a new throw-away key.
    """
    name = settings.NOTICE_SIGNING_KEY_FILE
    if not name:
        return None
    if settings.NOTICE_SIGNING_KEY_GENERATE and not Path(name).exists():
        generate_key_file(Path(name))
    return _private(name, _modified(name))


def retired_keys() -> tuple[Ed25519PublicKey, ...]:
    name = settings.NOTICE_SIGNING_RETIRED_KEYS_FILE
    return _retired(name, _modified(name)) if name else ()


def verifying_keys() -> dict[str, Ed25519PublicKey]:
    """Every key a record of this service may be signed with, by key id."""
    current = signing_key()
    keys = list(retired_keys()) + ([current.public_key()] if current is not None else [])
    return {key_id(key): key for key in keys}


def keys_document() -> dict[str, Any]:
    """The public keys as published at /.well-known/notice-signing-keys.json."""
    current = signing_key()
    current_id = key_id(current.public_key()) if current is not None else None
    keys = []
    for identifier, key in sorted(verifying_keys().items()):
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        keys.append(
            {
                "key_id": identifier,
                "algorithm": "Ed25519",
                "public_key": base64.b64encode(raw_public(key)).decode("ascii"),
                "public_key_pem": pem.decode("ascii"),
                "current": identifier == current_id,
            }
        )
    return {"format": KEYS_FORMAT, "keys": keys}
