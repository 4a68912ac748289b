"""The checkpoint signing key, kept outside the database.

The private key is an Ed25519 key in a PEM file: ``$ONETEAM_LEDGER_KEY`` if set,
else ``<DATA_DIR>/keys/ledger-ed25519.pem``. It is created on first use with
mode 0600 (directory 0700). Someone who can rewrite the database cannot forge a
checkpoint without this file, and a body holding a copy of the public key can
tell a re-signed checkpoint from the real one.

Retired public keys (after a key rotation) are trusted when placed beside the
key as ``*.pub.pem``, so older checkpoints keep verifying.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from .offline_verify import key_id

logger = logging.getLogger(__name__)

KEY_ENV = "ONETEAM_LEDGER_KEY"
KEY_FILENAME = "ledger-ed25519.pem"


def key_path() -> Path:
    if path := os.environ.get(KEY_ENV, "").strip():
        return Path(path).expanduser()
    return Path(settings.DATA_DIR) / "keys" / KEY_FILENAME


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    path: Path

    @cached_property
    def public_hex(self) -> str:
        return public_hex(self.private.public_key())

    @cached_property
    def key_id(self) -> str:
        return key_id(self.public_hex)

    def sign(self, message: bytes) -> str:
        return self.private.sign(message).hex()

    def public_pem(self) -> str:
        return public_pem(self.private.public_key())


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _load(path: Path) -> SigningKey:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("ledger signing key %s is readable by others (mode %o); chmod 600 it", path, mode)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return SigningKey(key, path)


def signing_key(*, create: bool = True) -> SigningKey | None:
    """The signing key, created on first use (``create=True``) or None if absent."""
    path = key_path()
    if path.exists():
        return _load(path)
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        # O_EXCL: two processes starting at once must not both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(path, 0o600)  # whatever the umask
    logger.info("created ledger signing key %s (key id %s)", path, key_id(public_hex(key.public_key())))
    return SigningKey(key, path)


def trusted_public_keys() -> set[str]:
    """Raw public keys (hex) whose checkpoints verification accepts: the current
    key and any retired ``*.pub.pem`` beside it. Empty if there is no key."""
    path = key_path()
    trusted: set[str] = set()
    current = signing_key(create=False)
    if current is not None:
        trusted.add(current.public_hex)
    if path.parent.is_dir():
        for pub in sorted(path.parent.glob("*.pub.pem")):
            key = serialization.load_pem_public_key(pub.read_bytes())
            if isinstance(key, Ed25519PublicKey):
                trusted.add(public_hex(key))
    return trusted
