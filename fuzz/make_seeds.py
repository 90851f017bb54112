#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/), hand-made and taken from the
repository's own test vectors (tests/vectors/hash-vectors.json) and unit tests. The seeds are
committed; run this again only to change them (the JWT seeds need Python's `cryptography`).

Inputs follow each target's layout (see its doc comment): fields separated by 0xFF.
"""
import base64
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEP = b"\xff"


def b(s):
    return s if isinstance(s, bytes) else s.encode()


def join(*fields):
    return SEP.join(b(f) for f in fields)


def write(target, seeds):
    """Replaces the target's generated seeds; keeps `regression-*`, the inputs of past findings."""
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if not name.startswith("regression-"):
            os.remove(os.path.join(d, name))
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


vectors = json.load(open(os.path.join(ROOT, "tests", "vectors", "hash-vectors.json")))["vectors"]
hashes = [v["hash"] for v in vectors]
hash_texts = [h if isinstance(h, str) else json.dumps(h) for h in hashes]

# --- legacy_hash: hash 0xFF password -----------------------------------------------------------
cheap = [
    "$2b$04$zVkqTAMX8VV/d3y.cA92Be7PTyA51cKp8uBxRcTu4Qi8JJGOGGc52",
    "$pbkdf2-sha256$i=100,l=32$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "$argon2i$v=16$m=16,t=2,p=2$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA",
    "{SMD5}AAAAAAAAAAAAAAAAAAAAAHNhbHQ=",
    "{SHA512}" + base64.b64encode(bytes(64)).decode(),
    "{CRYPT}x",
    json.dumps({"algorithm": "scrypt", "hash": {"value": "00" * 16, "encoding": "hex"},
                "salt": {"value": "c2FsdA==", "encoding": "base64", "position": "suffix"},
                "keylen": 16, "cost": 16, "blockSize": 1, "parallelization": 1}),
    json.dumps({"algorithm": "hmac", "hash": {"value": "AA", "encoding": "base64", "digest": "RSA-SHA256",
                "key": {"value": "6b6579", "encoding": "hex"}}, "password": {"encoding": "utf16le"}}),
    json.dumps({"algorithm": "md4", "hash": {"value": "00" * 16}, "salt": {"value": "s"},
                "password": {"encoding": "latin1"}}),
    json.dumps({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-whirlpool$i=10,l=64$c2FsdA$" + "A" * 86}}),
    json.dumps({"algorithm": "bcrypt", "hash": {"value": "$2y$04$zVkqTAMX8VV/d3y.cA92Be7PTyA51cKp8uBxRcTu4Qi8JJGOGGc52"},
                "salt": {"value": "pepper", "position": "suffix"}}),
]
write("legacy_hash", [join(h, v["password"]) for h, v in zip(hash_texts, vectors)]
      + [join(h, "pw") for h in cheap])

# --- import_row: username min, max, row JSON ---------------------------------------------------
rows = [
    {"email": "ada@example.com"},
    {"email": "Ada@Example.COM", "email_verified": True, "username": "ada_l", "given_name": "Ada",
     "family_name": "Lovelace", "name": "Ada Lovelace", "nickname": "ada", "picture": "https://x.example/a.png",
     "blocked": False, "phone_number": "+15551234567", "phone_verified": False, "user_id": "auth0|abc123",
     "user_metadata": {"theme": "dark"}, "app_metadata": {"plan": "pro"},
     "mfa_factors": [{"totp": {"secret": "JBSWY3DPEHPK3PXP"}}]},
    {"email": "b@example.com", "password_hash": "$2b$10$zVkqTAMX8VV/d3y.cA92Be7PTyA51cKp8uBxRcTu4Qi8JJGOGGc52"},
    {"email": "c@example.com", "password_hash": "$2a$15$zVkqTAMX8VV/d3y.cA92Be7PTyA51cKp8uBxRcTu4Qi8JJGOGGc52"},
    {"email": "d@example.com", "app_metadata": {"roles": []}, "extra": 1, "mfa_factors": []},
    {"email": "not an email", "username": "e@example.com", "phone_number": "123"},
    {"email": "e@example.com", "password_hash": "x", "custom_password_hash": {}},
]
rows += [{"email": f"u{i}@example.com", "custom_password_hash": h} for i, h in enumerate(hashes) if isinstance(h, dict)]
write("import_row", [bytes([1, 15]) + b(json.dumps(r)) for r in rows] + [bytes([3, 128]) + b"[]", bytes([0, 0]) + b"null"])

# --- import_split: read size, file -------------------------------------------------------------
files = [
    r' [ {"email":"a@x.co","user_metadata":{"s":"a,]}\"["}} , {"email":"B@x.co"},{"email":"b@x.co"}, 7, "s", null, {"email":1} ] ',
    '\ufeff{"email":"a@x.co"}\n{"email":"b@x.co"}\n\n',
    '[{"email":"a@x.co"},{"email": tru},{"email":"c@x.co"}]',
    '[{"email":"a@x.co"},]',
    '[{"email":"a@x.co"}] x',
    '[]',
    '{"email":"a@x.co"} 42 "x" true\n[1,2]',
    json.dumps([{"email": f"u{i}@example.com", "custom_password_hash": h}
                for i, h in enumerate(hashes) if isinstance(h, dict)][:8]),
    json.dumps([r for r in rows[:4]]),
]
write("import_split", [bytes([step]) + b(f) for f in files for step in (0, 6)])

# --- user_search: q ----------------------------------------------------------------------------
queries = [
    'email:"Ada@Example.com" AND name:"Ada L*" user_id:auth0|abc*',
    'identities.connection:"Username-Password-Authentication" blocked:true ada',
    r'name:"say \"hi\""', "email:a* ", "email:*@example.com", "email:a OR email:b", "NOT blocked:true",
    "(email:a)", "-email:a", "given_name:ada", 'email:"open', "email:a email:b", "blocked:yes", "ada*",
    'name:"Ada*" AND email:"adam@example.org"', "name:Al%*", "email:alan%_*", "email_verified:false",
    "connection:x username:Ada_L*", "&& || email:x", "email:ada*:-1", "created_at:-1",
]
write("user_search", [b(q) for q in queries])

# --- password_policy: level, min length, switches, password|email|username|name|nickname|meta|dict
policy = [
    (0, 0, 0, ["x", "", "", "", "", "", ""]),
    (1, 0, 3, ["secret", "ada@example.com", "ada", "Ada Lovelace", "al", "first\nlast", "tollgate2026"]),
    (2, 0, 1, ["Passw0rd", "", "", "", "", "", "Passw0rd"]),
    (3, 12, 2, ["Correct horse 42!", "horse@example.com", "", "", "", "", ""]),
    (4, 0, 3, ["aaaBBB111!!!", "", "", "", "", "", ""]),
    (4, 72, 0, ["añb😀 é%d%s", "", "", "%s", "", "", ""]),
    (3, 0, 1, ["password", "", "", "", "", "", ""]),
]
write("password_policy", [bytes([l, m, s]) + join(*f) for l, m, s, f in policy])

# --- email_username: min, max, text -------------------------------------------------------------
emails = [
    "a@b.co", "first.last+tag@example.com", "o'hara@mail.example.org", "user@xn--bcher-kva.example",
    "user@bücher.de", "  John.Doe@Example.COM ", "ADA@ＥＸＡＭＰＬＥ.COM", "ada@ｅｘａｍｐｌｅ．com",
    "Straße@example.com", "a@@b.com", "a..b@c.com", "a@b.c0m1", "j.doe+tag_1", "o'brien", "jöhn", "john@home",
    "İstanbul@ÖRNEK.com.tr", "x@xn--", "a@b＠c.com",
]
write("email_username", [bytes([1, 15]) + b(e) for e in emails] + [bytes([10, 5]) + b("JDoe")])

# --- legacy_answer: body -------------------------------------------------------------------------
answers = [
    {"verdict": "no_match"}, {"ok": True}, {"verdict": "password_match", "user": {"email": "a@b.co"}},
    {"verdict": "password_match", "user": {"user_id": "bad id!", "email": "a@b.co"}},
    {"verdict": "password_match", "user": {"user_id": "42", "email": "a@b.co", "email_verified": True,
                                           "username": "ada", "name": "Ada", "user_metadata": {"a": 1},
                                           "app_metadata": {"b": [1]}}},
    {"verdict": "found", "user": {"user_id": "42", "email": "a@b.co", "password_hash": hashes[0]}},
    {"verdict": "found", "user": {"user_id": "43", "email": "c@d.co", "password_hash": hashes[4]}},
    {"verdict": "created", "user": {"user_id": "44", "email": "e@f.co"}},
    {"verdict": "deleted"}, {"verdict": "exists"}, {"verdict": "not_found"}, {"verdict": 7},
]
write("legacy_answer", [b(json.dumps(a)) for a in answers] + [b"[]", b"null", b'{"verdict":"changed"} x'])

# --- http_body: method, content-type|authorization|cookie|path|query|body -----------------------
basic = "Basic " + base64.b64encode(b"client%201:se%3Acret+x").decode()
claims = base64.urlsafe_b64encode(json.dumps({"azp": "client-1"}).encode()).rstrip(b"=").decode()
http = [
    (1, "application/json", "", "", "/oauth/token", "",
     json.dumps({"grant_type": "password", "username": "ada@example.com", "password": "pw", "client_id": "c1",
                 "realm": "Username-Password-Authentication", "scope": "openid profile", "audience": "https://api"})),
    (1, "application/x-www-form-urlencoded; charset=UTF-8", basic, "", "/oauth/token", "",
     "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp%2Fcb&code_verifier=v+x&client_id=c1"),
    (1, "application/json", "", "tg_session=abc; tg_browser=" + "A" * 43, "/dbconnections/signup", "",
     json.dumps({"client_id": "c1", "connection": "Username-Password-Authentication", "email": "a@b.co",
                 "password": "Correct horse 42!", "username": "ada", "user_metadata": {"k": "v"}})),
    (1, "application/json", "", "", "/dbconnections/change_password", "",
     json.dumps({"client_id": "c1", "connection": "c", "email": "a@b.co"})),
    (1, "application/json", "", "", "/co/authenticate", "",
     json.dumps({"client_id": "c1", "credential_type": "http://auth0.com/oauth/grant-type/password-realm",
                 "username": "a@b.co", "password": "pw", "realm": "c"})),
    (1, "Application/JSON ; charset=utf-8", "", "", "/u/login", "tx=abc",
     json.dumps({"tx": "abc", "username": "a@b.co", "password": "pw", "connection": "c"})),
    (1, "application/json", "", "", "/u/reset", "", json.dumps({"ticket": "t", "password": "pw"})),
    (0, "", "Bearer x." + claims + ".y", "", "/userinfo", "", ""),
    (0, "", "Bearer abc", "", "/api/v2/users",
     "q=email%3A%22Ada%40example.com%22+AND+name%3AAda*&sort=email%3A-1&per_page=2&page=0&search_engine=v3", ""),
    (2, "application/json", "Bearer abc", "", "/api/v2/users/auth0|123", "", json.dumps({"blocked": True})),
    (3, "", "bearer abc", "", "/api/v2/users/auth0%7C123", "", ""),
    (1, "application/json", "Bearer abc", "", "/api/v2/jobs/users-exports", "",
     json.dumps({"connection_id": "con_1", "format": "json", "fields": [{"name": "email", "export_as": "e"}]})),
    (0, "", "", "", "/api/v2/jobs/job_1/errors", "", ""),
    (1, "application/x-www-form-urlencoded", "", "", "/oidc/logout", "client_id=a&state=s",
     "id_token_hint=x.y.z&post_logout_redirect_uri=https%3A%2F%2Fapp%2F"),
    (4, "", "", "", "/client/abc.js", "", ""),
    (1, "application/json", "Bearer abc", "", "/api/v2/users", "",
     json.dumps({"email": "a@b.co", "connection": "Username-Password-Authentication", "password": "pw",
                 "username": "ada", "user_metadata": {"a": 1}, "app_metadata": {}, "blocked": False,
                 "email_verified": True, "given_name": "Ada"})),
    (1, "application/json", "Bearer abc", "", "/api/v2/connections", "",
     json.dumps({"name": "db", "strategy": "auth0", "enabled_clients": ["c1"],
                 "options": {"passwordPolicy": "good", "password_complexity_options": {"min_length": 10},
                             "validation": {"username": {"min": 1, "max": 15}}, "import_mode": True,
                             "legacy": {"url": "https://legacy.example/auth", "secret": "CONNECTION_SECRET_X"}}})),
    (1, "application/json", "Bearer abc", "", "/api/v2/clients", "",
     json.dumps({"name": "app", "app_type": "spa", "callbacks": ["https://a/cb"], "allowed_origins": [],
                 "grant_types": ["authorization_code", "refresh_token"], "token_endpoint_auth_method": "none",
                 "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000}})),
    (1, "application/json", "Bearer abc", "", "/api/v2/client-grants", "",
     json.dumps({"client_id": "c1", "audience": "https://api", "scope": ["read:users"]})),
    (1, "application/json", "Bearer abc", "", "/api/v2/resource-servers", "",
     json.dumps({"identifier": "https://api", "name": "API", "signing_alg": "RS256",
                 "scopes": [{"value": "read:x", "description": "x"}], "token_lifetime": 86400})),
    (1, "application/json", "Bearer abc", "", "/api/v2/tickets/password-change", "",
     json.dumps({"user_id": "auth0|1", "result_url": "https://a/", "ttl_sec": 600})),
    (0, "", "", "", "/authorize", "client_id=c1&response_type=code&redirect_uri=https%3A%2F%2Fa&state=%zz&nonce=n", ""),
]
write("http_body", [bytes([m]) + join(ct, auth, ck, p, q, body) for m, ct, auth, ck, p, q, body in http])

# --- http_multipart: read size, content-type|body -------------------------------------------------
def multipart(boundary, parts):
    out = b""
    for name, filename, body in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += b"--" + b(boundary) + b"\r\nContent-Disposition: " + b(disp) + b"\r\n"
        if filename:
            out += b"Content-Type: application/json\r\n"
        out += b"\r\n" + b(body) + b"\r\n"
    return out + b"--" + b(boundary) + b"--\r\n"


users = json.dumps(rows[:3])
mp = [
    (0, "X-BOUNDARY", [("connection_id", None, "con_1"), ("users", "users.json", users), ("upsert", None, "true"),
                      ("external_id", None, "ext-1"), ("send_completion_email", None, "false")]),
    (7, "----x", [("users", "u.ndjson", '{"email":"a@x.co"}\n{"email":"b@x.co"}\n'), ("connection_id", None, "c")]),
    (0, "b", [("users", "a.json", "[1,"), ("users", "b.json", "[]")]),
    (3, "b", [("connection_id", None, "c")]),
]
write("http_multipart", [bytes([s]) + join("multipart/form-data; boundary=" + bd, multipart(bd, parts))
                         for s, bd, parts in mp])

# --- provider_jwt: raw (even) jwks|token|profile, or signed (odd) header|claims --------------------
def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


good_claims = {"iss": "https://idp.example/", "aud": ["client-1", "other"], "sub": "1098", "exp": 1_700_000_600,
               "iat": 1_700_000_000, "nonce": "n-1", "email": "Ada@Example.COM", "email_verified": "true",
               "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace", "picture": "https://p/a.png"}
signed = [
    ({"alg": "ES256", "kid": "ec-1", "typ": "JWT"}, good_claims),
    ({"alg": "ES256"}, dict(good_claims, aud="client-1", iss="https://idp.example")),
    ({"alg": "ES256", "kid": "ec-1"}, dict(good_claims, exp=1_600_000_000)),
    ({"alg": "ES256", "kid": "ec-1"}, dict(good_claims, nonce="other")),
    ({"alg": "RS256", "kid": "rsa-1"}, good_claims),
    ({"alg": "none"}, good_claims),
    ({"alg": "HS256", "kid": "ec-1"}, good_claims),
    ({"alg": "ES256", "kid": "ec-1", "crit": ["exp"], "jwk": {"kty": "EC"}}, {"sub": 5, "exp": "x"}),
]
seeds = [b"\x01" + join(json.dumps(h), json.dumps(c)) for h, c in signed]
try:
    from cryptography.hazmat.primitives import hashes as chashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def key(name):
        return serialization.load_pem_private_key(open(os.path.join(HERE, "keys", name), "rb").read(), None)

    rsa_key, ec_key = key("rsa-test.pem"), key("ec-test.pem")

    def token(header, claims):
        msg = (b64u(b(json.dumps(header))) + "." + b64u(b(json.dumps(claims)))).encode()
        if header["alg"] == "ES256":
            r, s = decode_dss_signature(ec_key.sign(msg, ec.ECDSA(chashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        elif header["alg"] == "PS256":
            sig = rsa_key.sign(msg, padding.PSS(padding.MGF1(chashes.SHA256()), 32), chashes.SHA256())
        else:
            sig = rsa_key.sign(msg, padding.PKCS1v15(), chashes.SHA256())
        return msg.decode() + "." + b64u(sig)

    pub = rsa_key.public_key().public_numbers()
    n, e = b64u(pub.n.to_bytes(256, "big")), b64u(pub.e.to_bytes(3, "big"))
    x = ec_key.public_key().public_numbers()
    jwks = json.dumps({"keys": [
        {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": n, "e": e},
        {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": b64u(x.x.to_bytes(32, "big")), "y": b64u(x.y.to_bytes(32, "big"))},
        {"kty": "oct", "kid": "hs", "k": "c2VjcmV0"},
    ]})
    own = {"iss": "https://idp.example/", "aud": "client-1", "sub": "auth0|1", "exp": 1_700_000_100, "azp": "client-1"}
    profile = json.dumps({"id": 1234, "email": "A@B.co", "email_verified": True, "name": "Ada",
                          "picture": {"data": {"url": "https://p"}}})
    seeds += [
        b"\x00" + join(jwks, token({"alg": "RS256", "kid": "rsa-1"}, good_claims), profile),
        b"\x00" + join(jwks, token({"alg": "PS256", "kid": "rsa-1"}, good_claims), "{}"),
        b"\x00" + join(jwks, token({"alg": "ES256", "kid": "ec-1"}, good_claims), "[]"),
        b"\x00" + join("", token({"alg": "RS256", "kid": "rsa-1", "typ": "JWT"}, own), profile),
        b"\x00" + join(jwks, token({"alg": "RS256"}, dict(own, exp=1)), ""),
    ]
except ImportError:
    print("cryptography is missing: provider_jwt gets no signed raw-mode seeds")
write("provider_jwt", seeds)
print("seed corpora written")
