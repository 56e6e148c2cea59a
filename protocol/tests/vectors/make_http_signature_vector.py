#!/usr/bin/env python3
"""Regenerates http-signature-cavage.json: draft-cavage HTTP signatures made
independently of Kodeon's Rust code (Python `cryptography` + hashlib).

The RSA key is TEST-ONLY. It is generated on the first run and then read
back from the existing vector file, so re-running reproduces the same
signatures (RSASSA-PKCS1-v1_5 is deterministic). Delete the file to start
over with a new key.

Usage: python3 make_http_signature_vector.py
"""

import base64
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

OUT = Path(__file__).with_name("http-signature-cavage.json")
KEY_ID = "https://remote.example/users/alice#main-key"


def load_or_generate_key():
    if OUT.exists():
        pem = json.loads(OUT.read_text())["private_key_pem"]
        return serialization.load_pem_private_key(pem.encode(), password=None)
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signing_string(method, path_and_query, headers, covered, params):
    """draft-cavage-http-signatures-12 section 2.3."""
    lines = []
    for name in covered:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path_and_query}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params[name[1:-1]]}")
        else:
            values = [v.strip() for (n, v) in headers if n.lower() == name]
            assert values, name
            lines.append(f"{name}: {', '.join(values)}")
    return "\n".join(lines)


def make_case(key, name, method, path_and_query, headers, body, covered,
              algorithm, now, header_name, params=None):
    params = params or {}
    base = signing_string(method, path_and_query, headers, covered, params)
    sig = key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
    fields = [f'keyId="{KEY_ID}"', f'algorithm="{algorithm}"']
    fields += [f"{k}={v}" for k, v in params.items()]
    fields += [f'headers="{" ".join(covered)}"',
               f'signature="{base64.b64encode(sig).decode()}"']
    value = ",".join(fields)
    if header_name == "Authorization":
        value = "Signature " + value
    return {
        "name": name,
        "method": method,
        "scheme": "https",
        "authority": "kodeon.example",
        "path_and_query": path_and_query,
        "headers": [[n, v] for (n, v) in headers] + [[header_name, value]],
        "body": body,
        "now": now,
        "signing_string": base,
    }


def main():
    key = load_or_generate_key()
    body = '{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow",' \
           '"actor":"https://remote.example/users/alice",' \
           '"object":"https://kodeon.example/users/bob"}'
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    date = "Tue, 20 Apr 2021 02:07:55 GMT"  # 1618884475
    cases = [
        make_case(
            key, "mastodon-style POST, rsa-sha256", "POST", "/users/bob/inbox",
            [("Host", "kodeon.example"), ("Date", date), ("Digest", digest),
             ("Content-Type", "application/activity+json")],
            body, ["(request-target)", "host", "date", "digest", "content-type"],
            "rsa-sha256", 1618884480, "Signature"),
        make_case(
            key, "hs2019 GET in Authorization, (created)/(expires), repeated header",
            "GET", "/users/bob/outbox?page=true",
            [("Host", "kodeon.example"),
             ("Accept", "application/activity+json"),
             ("Accept", ' application/ld+json; profile="https://www.w3.org/ns/activitystreams"')],
            None, ["(request-target)", "(created)", "(expires)", "host", "accept"],
            "hs2019", 1618884480, "Authorization",
            {"created": 1618884470, "expires": 1618884770}),
    ]
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    vector = {
        "description": "draft-cavage HTTP signatures (RSASSA-PKCS1-v1_5 SHA-256) made "
                       "independently with Python cryptography + hashlib by "
                       "make_http_signature_vector.py. TEST-ONLY key.",
        "key_id": KEY_ID,
        "public_key_pem": public_pem,
        "private_key_pem": private_pem,
        "cases": cases,
    }
    OUT.write_text(json.dumps(vector, indent=2) + "\n")


if __name__ == "__main__":
    main()
