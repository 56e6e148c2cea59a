"""Kodeon against the real, unmodified Mastodon.py client library.

Starts `$KODEON_BIN serve` on a free loopback port (or uses `$KODEON_URL`),
then drives it the way a bot or app would. Prints one line per step and
ends with "N passed, M failed". Exit code 0 only if every step passed.
"""

import os
import re
import struct
import zlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from html.parser import HTMLParser

import requests
from mastodon import Mastodon, StreamListener

PASSWORD = "correct horse battery"
SCOPES = ["read", "write", "follow"]
OOB = "urn:ietf:wg:oauth:2.0:oob"

passed = 0
failed = 0


def step(name):
    """Decorator: run a step, record pass/fail, keep going on failure."""

    def wrap(fn):
        global passed, failed
        started = time.time()
        try:
            result = fn()
            passed += 1
            print(f"ok   {name} ({(time.time() - started) * 1000:.0f} ms)")
            return result
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=3)
            return None

    return wrap


def tiny_png(width=4, height=3):
    """A valid RGB PNG, built with zlib (no imaging library needed)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc8\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_node():
    url = os.environ.get("KODEON_URL")
    if url:
        return url, None, None
    binary = os.environ.get("KODEON_BIN", "target/debug/kodeon")
    port = free_port()
    data = tempfile.mkdtemp(prefix="kodeon-compat-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KODEON_")}
    env.update(
        {
            "KODEON_RATE_LIMITS__POSTS_PER_MINUTE_PER_ACCOUNT": "0",
            "KODEON_RATE_LIMITS__REGISTER_PER_HOUR_PER_IP": "0",
            "KODEON_RATE_LIMITS__LOGIN_PER_MINUTE_PER_IP": "0",
            "KODEON_RANKING__TRENDS_REFRESH_SECS": "1",
            "RUST_LOG": "warn",
        }
    )
    log = open(os.path.join(data, "node.log"), "w")
    proc = subprocess.Popen(
        [binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--domain", f"127.0.0.1:{port}", "--dev"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return url, proc, data
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the node did not start; see " + os.path.join(data, "node.log"))


class FormParser(HTMLParser):
    """Collects the first form's action and inputs."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        if tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a.get("value", "")


def main():
    url, proc, data = start_node()
    print(f"node at {url}")
    ctx = {}
    try:
        run(url, ctx)
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def run(url, ctx):
    @step("create_app")
    def _():
        cid, secret = Mastodon.create_app("kodeon-compat", api_base_url=url, scopes=SCOPES, redirect_uris=OOB)
        assert cid and secret
        ctx["app"] = (cid, secret)

    cid, secret = ctx["app"]

    @step("instance() parses as Mastodon-compatible")
    def _():
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=url)
        info = api.instance()
        assert "compatible; Kodeon" in info["version"], info["version"]

    @step("create_account (sign-up with an app token) for alice and bob")
    def _():
        for name in ["alice", "bob"]:
            api = Mastodon(client_id=cid, client_secret=secret, api_base_url=url)
            token = api.create_account(name, PASSWORD, f"{name}@example.test", agreement=True, scopes=SCOPES)
            assert token
            ctx[name] = Mastodon(access_token=token, api_base_url=url)

    @step("log_in with the password grant")
    def _():
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=url)
        token = api.log_in("alice@example.test", PASSWORD, scopes=SCOPES)
        assert Mastodon(access_token=token, api_base_url=url).account_verify_credentials()["username"] == "alice"

    @step("log_in with the authorization-code flow (oob, consent page)")
    def _():
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=url)
        auth_url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES)
        page = requests.get(auth_url, timeout=10)
        assert page.status_code == 200, page.status_code
        form = FormParser()
        form.feed(page.text)
        fields = dict(form.inputs, username="bob", password=PASSWORD)
        result = requests.post(requests.compat.urljoin(auth_url, form.action), data=fields, timeout=10, allow_redirects=False)
        assert result.status_code == 200, (result.status_code, result.text[:300])
        code = re.search(r'id="code">([^<]+)<', result.text).group(1)
        token = api.log_in(code=code, redirect_uri=OOB, scopes=SCOPES)
        assert Mastodon(access_token=token, api_base_url=url).account_verify_credentials()["username"] == "bob"

    alice, bob = ctx["alice"], ctx["bob"]

    @step("verify_credentials and account_follow")
    def _():
        me = alice.account_verify_credentials()
        ctx["alice_id"] = me["id"]
        ctx["bob_id"] = bob.account_verify_credentials()["id"]
        rel = bob.account_follow(me["id"])
        assert rel["following"] is True
        rels = bob.account_relationships([me["id"]])
        assert rels[0]["following"] is True

    @step("status_post, reply, favourite, context")
    def _():
        post = alice.status_post("hello from Mastodon.py #compat")
        reply = bob.status_post("a reply", in_reply_to_id=post["id"])
        assert reply["in_reply_to_id"] == post["id"]
        fav = bob.status_favourite(post["id"])
        assert fav["favourited"] is True and fav["favourites_count"] == 1
        context = alice.status_context(post["id"])
        assert [s["id"] for s in context["descendants"]] == [reply["id"]]
        ctx["post"] = post

    @step("status_reblog and unreblog")
    def _():
        wrapper = bob.status_reblog(ctx["post"]["id"])
        assert wrapper["reblog"]["id"] == ctx["post"]["id"]
        assert "bob" in [a["username"] for a in alice.status_reblogged_by(ctx["post"]["id"])]
        original = bob.status_unreblog(ctx["post"]["id"])
        assert original["reblogged"] is False

    @step("timeline_home, timeline_public, timeline_local")
    def _():
        home = bob.timeline_home()
        assert ctx["post"]["id"] in [s["id"] for s in home]
        assert ctx["post"]["id"] in [s["id"] for s in alice.timeline_public()]
        assert ctx["post"]["id"] in [s["id"] for s in alice.timeline_local()]

    @step("pagination with fetch_next")
    def _():
        ids = [alice.status_post(f"page {i}")["id"] for i in range(5)]
        first = bob.timeline_home(limit=2)
        assert [s["id"] for s in first] == ids[::-1][:2], [s["id"] for s in first]
        second = bob.fetch_next(first)
        assert second and [s["id"] for s in second] == ids[::-1][2:4], second
        seen = [s["id"] for s in first] + [s["id"] for s in second]
        assert len(set(seen)) == 4

    @step("notifications: favourite and follow")
    def _():
        kinds = {n["type"] for n in alice.notifications()}
        assert {"favourite", "follow", "mention"} <= kinds, kinds

    @step("search_v2: accounts, hashtags, statuses")
    def _():
        found = bob.search_v2("alice")
        assert "alice" in [a["username"] for a in found["accounts"]]
        tags = bob.search_v2("#compat")
        assert "compat" in [t["name"] for t in tags["hashtags"]], tags
        words = bob.search_v2("hello Mastodon.py", result_type="statuses")
        assert ctx["post"]["id"] in [st["id"] for st in words["statuses"]], words["statuses"]

    @step("trending_tags, trending_statuses, trending_links")
    def _():
        bob.status_post("a link for #compat and https://compat.example/page")
        # Trends are computed by the node's worker (every second here).
        deadline = time.time() + 15
        while True:
            tags = alice.trending_tags()
            names = [t["name"] for t in tags]
            if "compat" in names or time.time() > deadline:
                break
            time.sleep(0.5)
        assert "compat" in names, names
        compat = tags[names.index("compat")]
        assert len(compat["history"]) == 7, compat
        assert int(compat["history"][0]["accounts"]) == 2, compat["history"][0]
        assert int(compat["history"][0]["uses"]) == 2, compat["history"][0]
        statuses = alice.trending_statuses()
        assert ctx["post"]["id"] in [st["id"] for st in statuses], statuses
        links = alice.trending_links()
        assert "https://compat.example/page" in [card["url"] for card in links], links
        assert links[0]["type"] == "link" and len(links[0]["history"]) == 7, links[0]

    @step("suggestions_v2, suggestions_v1 and suggestion_delete")
    def _():
        found = alice.suggestions_v2()
        assert [sug["account"]["username"] for sug in found] == ["bob"], found
        assert found[0]["source"] == "global" and found[0]["sources"] == ["most_followed"], found[0]
        assert ["bob"] == [acct["username"] for acct in alice.suggestions_v1()]
        alice.suggestion_delete(found[0]["account"]["id"])
        assert alice.suggestions_v2() == [], "a dismissed suggestion came back"

    @step("media_post and a status with the attachment")
    def _():
        media = alice.media_post(tiny_png(), mime_type="image/png", description="a red rectangle")
        assert media["type"] == "image" and media["meta"]["original"]["width"] == 4, media
        status = alice.status_post("with a picture", media_ids=[media["id"]])
        assert [m["id"] for m in status["media_attachments"]] == [media["id"]]
        served = requests.get(media["url"], timeout=10)
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"

    @step("bookmarks, status_delete")
    def _():
        bob.status_bookmark(ctx["post"]["id"])
        assert ctx["post"]["id"] in [s["id"] for s in bob.bookmarks()]
        gone = alice.status_post("to be deleted")
        alice.status_delete(gone["id"])
        assert gone["id"] not in [s["id"] for s in alice.timeline_home()]

    @step("stream_user receives an update")
    def _():
        seen = set()
        arrived = threading.Condition()

        class Listener(StreamListener):
            def on_update(self, status):
                # The event may arrive before status_post() returns.
                with arrived:
                    seen.add(status["id"])
                    arrived.notify_all()

        handle = bob.stream_user(Listener(), run_async=True, reconnect_async=False)
        try:
            time.sleep(0.5)
            wanted = alice.status_post("live over the stream")["id"]
            with arrived:
                assert arrived.wait_for(lambda: wanted in seen, timeout=5), "no update event within 5 s"
        finally:
            # close() waits for the stream thread's next read (up to a
            # keep-alive interval); the test need not.
            threading.Thread(target=handle.close, daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
