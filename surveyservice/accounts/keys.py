"""Each organisation's key pair, for files that only the service can read.

A staff tablet seals its saved answers with the organisation's public key (RSA-OAEP
wrapping a fresh AES-GCM key, in the browser's WebCrypto); only the service, which
holds the private key, can open the file. A lost file or a forwarded e-mail reveals
nothing. The private key is kept encrypted with the service's SECRET_KEY.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..i18n import N_
from .models import OrganisationKey

SEALED_FORMAT = "surveyservice-sealed"
KEY_BITS = 3072
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class SealError(ValueError):
    """A sealed file that cannot be opened, with a reason a coordinator can act on."""


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    spki: str  # base64 of the DER SubjectPublicKeyInfo, as WebCrypto imports it


def _passphrase() -> bytes:
    return hashlib.sha256(b"organisation-key:" + current_app.config["SECRET_KEY"].encode()).digest()


def _fingerprint() -> str:
    return hashlib.sha256(b"fingerprint:" + _passphrase()).hexdigest()[:16]


def public_key(org_id: int) -> PublicKey:
    """The organisation's public key, made on first use and again after SECRET_KEY
    changed (the private key must be readable with the SECRET_KEY in force)."""
    row = db.session.execute(
        select(OrganisationKey)
        .filter_by(organisation_id=org_id, secret_fingerprint=_fingerprint())
        .order_by(OrganisationKey.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        # Two first requests at once may each make a pair: both work, files name theirs.
        row = _new_key(org_id)
        db.session.add(row)
        db.session.commit()
    return PublicKey(row.key_id, row.public_spki)


def _new_key(org_id: int) -> OrganisationKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return OrganisationKey(
        organisation_id=org_id,
        key_id=hashlib.sha256(spki).hexdigest()[:16],
        secret_fingerprint=_fingerprint(),
        public_spki=base64.b64encode(spki).decode(),
        private_pem=private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_passphrase()),
        ).decode(),
    )


def _b64(document: dict, name: str) -> bytes:
    value = document.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise SealError(f"The file is damaged: its {name} is missing or not base64.") from None


def seal(key: PublicKey, content: bytes) -> dict:
    """Seal content for the key's organisation, as the staff app does in the browser."""
    public = serialization.load_der_public_key(base64.b64decode(key.spki))
    secret = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    return {
        "format": SEALED_FORMAT,
        "version": 1,
        "key_id": key.key_id,
        "wrapped_key": base64.b64encode(public.encrypt(secret, _OAEP)).decode(),
        "iv": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(AESGCM(secret).encrypt(nonce, content, None)).decode(),
    }


def is_sealed(document: object) -> bool:
    return isinstance(document, dict) and document.get("format") == SEALED_FORMAT


def open_sealed(org_id: int, document: dict) -> bytes:
    """The content of a file sealed for this organisation, or SealError."""
    key_id = document.get("key_id")
    row = db.session.execute(
        select(OrganisationKey).filter_by(
            organisation_id=org_id, key_id=key_id if isinstance(key_id, str) else ""
        )
    ).scalar_one_or_none()
    if row is None:
        raise SealError(
            N_(
                "This file was sealed for another organisation or another key: it cannot be "
                "opened here."
            )
        )
    wrapped, iv, ciphertext = (_b64(document, n) for n in ("wrapped_key", "iv", "ciphertext"))
    try:
        if row.secret_fingerprint != _fingerprint():
            raise ValueError
        private = serialization.load_pem_private_key(
            row.private_pem.encode(), password=_passphrase()
        )
    except ValueError:
        raise SealError(
            N_(
                "The organisation's key cannot be read: the service's SECRET_KEY has changed "
                "since the file was saved."
            )
        ) from None
    try:
        key = private.decrypt(wrapped, _OAEP)
        return AESGCM(key).decrypt(iv, ciphertext, None)
    except (ValueError, InvalidTag):
        raise SealError(N_("The file is damaged or was changed after it was saved.")) from None
