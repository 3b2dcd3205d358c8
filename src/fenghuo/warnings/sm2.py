"""SM2/SM3 (GB/T 32918, GB/T 32905) through the ``gmssl`` package, with safe randomness.

``gmssl`` draws its signing nonce from ``random`` (not a CSPRNG) when none is given, and a
predictable nonce gives away the private key; Fenghuo always passes one from ``secrets``.
Its constructor also mangles public keys that begin with ``0`` or ``4`` (``lstrip("04")``),
so the key is set on the object after construction.
"""

from __future__ import annotations

import secrets

from gmssl import func
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

_N = int(gm_sm2.default_ecc_table["n"], 16)
_G = gm_sm2.default_ecc_table["g"]


def _scalar() -> int:
    """A uniformly random scalar in [1, n - 1]."""
    return secrets.randbelow(_N - 1) + 1


def _crypt(private_hex: str | None, public_hex: str) -> gm_sm2.CryptSM2:
    crypt = gm_sm2.CryptSM2(private_key=private_hex, public_key="00")
    crypt.public_key = public_hex
    return crypt


def generate_keypair() -> tuple[str, str]:
    """A new (private hex, public hex) pair; the public key is x || y, 128 hex digits."""
    private = _scalar()
    crypt = _crypt(f"{private:064x}", "00")
    public_hex: str = crypt._kg(private, _G)
    return f"{private:064x}", public_hex


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of ``data``, in hex."""
    return str(gm_sm3.sm3_hash(func.bytes_to_list(data)))


def sign(private_hex: str, public_hex: str, data: bytes) -> str:
    """SM2 signature (r || s, hex) over SM3(Z || data), with the default user id."""
    crypt = _crypt(private_hex, public_hex)
    while True:
        signature = crypt.sign_with_sm3(data, f"{_scalar():064x}")
        if signature:
            return str(signature)


def verify(public_hex: str, signature_hex: str, data: bytes) -> bool:
    """Whether ``signature_hex`` is ``public_hex``'s SM2 signature over ``data``."""
    if len(signature_hex) != 128 or len(public_hex) != 128:
        return False
    try:
        int(signature_hex, 16)
    except ValueError:
        return False
    return bool(_crypt(None, public_hex).verify_with_sm3(signature_hex, data))
