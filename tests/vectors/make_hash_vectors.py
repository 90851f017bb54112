#!/usr/bin/env python3
"""Generates hash-vectors.json: password hashes made by independent implementations (Python's
hashlib/hmac, the `bcrypt` and `argon2-cffi` packages, passlib, pycryptodome), in the shapes bulk
import and hash hand-over accept — strings and Auth0 `custom_password_hash` objects. Each vector
has the right password and a wrong one. The edge's Rust verifiers are tested against this file.

    pip install bcrypt argon2-cffi passlib pycryptodome
    python3 tests/vectors/make_hash_vectors.py > tests/vectors/hash-vectors.json
"""
import base64
import hashlib
import hmac
import json

import argon2
import bcrypt
from Crypto.Hash import MD4
from passlib.hash import ldap_md5, ldap_salted_md5, ldap_salted_sha1, ldap_sha1

PW = "Correct horse 42!"
WRONG = "Correct horse 43!"
vectors = []


def add(name, hash_, password=PW, wrong=WRONG):
    vectors.append({"name": name, "hash": hash_, "password": password, "wrong": wrong})


def b64(b, url=False, pad=True):
    s = (base64.urlsafe_b64encode if url else base64.b64encode)(b).decode()
    return s if pad else s.rstrip("=")


# bcrypt: $2b$ and $2a$, as strings and as custom objects; one with a salt around the password.
h = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=10))
add("bcrypt string $2b$", h.decode())
add("bcrypt string $2a$", h.decode().replace("$2b$", "$2a$", 1))
add("bcrypt custom", {"algorithm": "bcrypt", "hash": {"value": h.decode()}})
salted = bcrypt.hashpw(("pepper" + PW).encode(), bcrypt.gensalt(rounds=10))
add("bcrypt custom with prefix salt", {"algorithm": "bcrypt", "hash": {"value": salted.decode()}, "salt": {"value": "pepper"}})

# argon2 (argon2-cffi), id and i.
for t in (argon2.Type.ID, argon2.Type.I):
    ph = argon2.PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1, type=t)
    add(f"argon2 {t.name.lower()} custom", {"algorithm": "argon2", "hash": {"value": ph.hash(PW)}})

# PBKDF2 in Auth0's PHC form: $pbkdf2-<digest>$i=<iter>,l=<keylen>$<b64 salt>$<b64 hash>.
for digest, keylen in (("sha1", 20), ("sha256", 32), ("sha512", 64)):
    salt = b"salty-" + digest.encode()
    dk = hashlib.pbkdf2_hmac(digest, PW.encode(), salt, 12000, keylen)
    phc = f"$pbkdf2-{digest}$i=12000,l={keylen}${b64(salt, pad=False)}${b64(dk, pad=False)}"
    add(f"pbkdf2 {digest} custom", {"algorithm": "pbkdf2", "hash": {"value": phc}})
dk = hashlib.pbkdf2_hmac("sha512", PW.encode(), b"defaults", 100000, 64)
add("pbkdf2 default i and l", {"algorithm": "pbkdf2", "hash": {"value": f"$pbkdf2-sha512${b64(b'defaults', pad=False)}${b64(dk, pad=False)}".replace("$pbkdf2-sha512$", "$pbkdf2-sha512$$")}})

# LDAP (RFC 2307) via passlib.
add("ldap {SSHA}", {"algorithm": "ldap", "hash": {"value": ldap_salted_sha1.hash(PW)}})
add("ldap {SHA}", {"algorithm": "ldap", "hash": {"value": ldap_sha1.hash(PW)}})
add("ldap {SMD5}", {"algorithm": "ldap", "hash": {"value": ldap_salted_md5.hash(PW)}})
add("ldap {MD5} string", ldap_md5.hash(PW))

# Plain digests with salt positions and encodings.
def digest(alg, data):
    if alg == "md4":
        return MD4.new(data).digest()
    return hashlib.new(alg, data).digest()


for alg in ("md4", "md5", "sha1", "sha256", "sha512"):
    add(f"{alg} unsalted hex", {"algorithm": alg, "hash": {"value": digest(alg, PW.encode()).hex(), "encoding": "hex"}})
    add(f"{alg} prefix salt base64", {"algorithm": alg, "hash": {"value": b64(digest(alg, b"abc123" + PW.encode())), "encoding": "base64"},
                                      "salt": {"value": "abc123", "position": "prefix"}})
    add(f"{alg} suffix hex salt, HEX digest", {"algorithm": alg, "hash": {"value": digest(alg, PW.encode() + bytes.fromhex("c0ffee")).hex().upper(), "encoding": "hex"},
                                               "salt": {"value": "c0ffee", "encoding": "hex", "position": "suffix"}})
add("sha256 url-safe base64 without padding", {"algorithm": "sha256", "hash": {"value": b64(digest("sha256", PW.encode()), url=True, pad=False), "encoding": "base64"}})
add("md5 latin1 password", {"algorithm": "md5", "hash": {"value": digest("md5", "pässwörd".encode("latin-1")).hex()}, "password": {"encoding": "latin1"}},
    password="pässwörd", wrong="passwort")
add("sha1 utf16le password", {"algorithm": "sha1", "hash": {"value": digest("sha1", "pässwörd".encode("utf-16-le")).hex()}, "password": {"encoding": "utf16le"}},
    password="pässwörd", wrong="pässwort")

# HMAC with several digests and key encodings.
for alg in ("md5", "sha1", "sha256", "sha512", "ripemd160"):
    mac = hmac.new(b"server-key", PW.encode(), alg).digest()
    add(f"hmac {alg} hex", {"algorithm": "hmac", "hash": {"value": mac.hex(), "encoding": "hex", "digest": alg, "key": {"value": "server-key"}}})
mac = hmac.new(bytes.fromhex("0badc0de"), PW.encode(), "sha256").digest()
add("hmac sha256 base64, hex key", {"algorithm": "hmac", "hash": {"value": b64(mac), "encoding": "base64", "digest": "sha256",
                                                                  "key": {"value": "0badc0de", "encoding": "hex"}}})

# scrypt (hashlib, OpenSSL).
key = hashlib.scrypt(PW.encode(), salt=b"abc123", n=4096, r=8, p=1, dklen=32)
add("scrypt from the Auth0 docs' shape", {"algorithm": "scrypt", "hash": {"value": key.hex(), "encoding": "hex"}, "salt": {"value": "abc123"},
                                          "keylen": 32, "cost": 4096})
key = hashlib.scrypt(PW.encode(), salt=b"\x01\x02\x03\x04", n=16384, r=8, p=1, dklen=64)
add("scrypt defaults, base64", {"algorithm": "scrypt", "hash": {"value": b64(key), "encoding": "base64"},
                                "salt": {"value": b64(b"\x01\x02\x03\x04"), "encoding": "base64"}, "keylen": 64})

print(json.dumps({"generator": "tests/vectors/make_hash_vectors.py", "vectors": vectors}, indent=1, ensure_ascii=False))
