"""Kodeon's e-mail against a real SMTP server.

Starts aiosmtpd on a free loopback port, writing every message it receives
to a directory, and `$KODEON_BIN serve` with `[email]` pointed at it, in a
temporary data directory. Then drives the members' web app and the admin
panel as a browser would (cookies, form tokens): sign-up, the confirmation
mail and its link, sign-in; forgot password, the reset mail, a new
password, the link refused the second time; the panel's test message.
Prints one line per step and ends with "N passed, M failed"; exit code 0
only if every step passed.
"""

import email
import email.policy
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from aiosmtpd.controller import Controller

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
WAIT_SECS = 15

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
            print(f"ok   {name} ({(time.time() - started) * 1000:.0f} ms)", flush=True)
            return result
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=3)
            return None

    return wrap


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Spool:
    """An aiosmtpd handler that writes each message to a file."""

    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        name = f"{self.count:04d}.eml"
        with open(os.path.join(self.directory, name), "wb") as f:
            f.write(envelope.content)
        return "250 Message accepted for delivery"


def received():
    """Every message received so far, parsed, oldest first."""
    out = []
    for name in sorted(os.listdir(SPOOL)):
        with open(os.path.join(SPOOL, name), "rb") as f:
            out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
    return out


def wait_for_mail(to, subject_word, seen=0):
    """The first message to `to` whose subject has `subject_word`, after
    the `seen` first such messages; waits for it."""
    deadline = time.time() + WAIT_SECS
    while time.time() < deadline:
        matching = [m for m in received() if to in str(m["To"]) and subject_word in str(m["Subject"])]
        if len(matching) > seen:
            return matching[seen]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to} about {subject_word!r} within {WAIT_SECS} s")


def link_in(message, path):
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(BASE + path) + r"[A-Za-z0-9_-]+", body)
    assert found, f"no {path} link in:\n{body}"
    return found.group(0)


def start_node():
    binary = os.environ.get("KODEON_BIN", "target/debug/kodeon")
    port = free_port()
    data = tempfile.mkdtemp(prefix="kodeon-email-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KODEON_")}
    env.update(
        {
            "KODEON_EMAIL__SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
            "KODEON_EMAIL__FROM": "Kodeon test <noreply@kodeon.test>",
            "KODEON_RATE_LIMITS__REGISTER_PER_HOUR_PER_IP": "0",
            "KODEON_RATE_LIMITS__LOGIN_PER_MINUTE_PER_IP": "0",
            "RUST_LOG": "warn,kodeon_web::mail=info",
        }
    )
    log = open(os.path.join(data, "node.log"), "w")
    args = ["serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--domain", f"127.0.0.1:{port}", "--dev"]
    proc = subprocess.Popen([binary, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return url, proc, data, binary, env
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the node did not start; see " + os.path.join(data, "node.log"))


class Inputs(HTMLParser):
    """The hidden and text inputs of a page (the form token among them)."""

    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.inputs.setdefault(a["name"], a.get("value", ""))


class Browser:
    """A cookie jar and the requests a browser would make."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path, form=None):
        """(status, body, final URL), following redirects; errors too."""
        url = path if path.startswith("http") else BASE + path
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as r:
                return r.status, r.read().decode(), r.geturl()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), url

    def csrf(self, path):
        status, body, _ = self.open(path)
        assert status == 200, f"GET {path}: {status}"
        parser = Inputs()
        parser.feed(body)
        return parser.inputs["csrf"]

    def submit(self, page, action, fields):
        """Fetches `page` for its form token, then posts `fields` to `action`."""
        form = {"csrf": self.csrf(page), **fields}
        return self.open(action, form)

    def sign_in(self, login, password):
        return self.submit("/login", "/login", {"login": login, "password": password})


SPOOL = tempfile.mkdtemp(prefix="kodeon-smtp-")
SMTP_PORT = free_port()
controller = Controller(Spool(SPOOL), hostname="127.0.0.1", port=SMTP_PORT)
controller.start()
BASE, proc, DATA, BINARY, ENV = start_node()
alice = Browser()


@step("sign-up through the web form asks to confirm the address")
def _():
    status, body, url = alice.submit(
        "/signup", "/signup", {"username": "alice", "email": "alice@kodeon.test", "password": PASSWORD}
    )
    assert status == 200, status
    assert url.endswith("/confirm-email?sent=1"), url
    assert "We sent a link" in body, body


@step("an unconfirmed account cannot sign in")
def _():
    status, body, _ = Browser().sign_in("alice", PASSWORD)
    assert status == 403, status
    assert "confirm your e-mail address first" in body, body


@step("the confirmation mail arrives and its link confirms the account")
def _():
    message = wait_for_mail("alice@kodeon.test", "Confirm")
    assert "noreply@kodeon.test" in str(message["From"]), message["From"]
    link = link_in(message, "/confirm-email/")
    status, body, _ = Browser().open(link)
    assert status == 200, status
    assert "is confirmed" in body, body
    status, body, _ = Browser().open(link)
    assert status == 400 and "used already" in body, (status, body)


@step("the confirmed account signs in")
def _():
    status, body, url = alice.sign_in("alice", PASSWORD)
    assert status == 200 and url.endswith("/home"), (status, url)


@step("forgot password answers the same for an unknown account and sends nothing")
def _():
    b = Browser()
    status, known, _ = b.submit("/forgot-password", "/forgot-password", {"login": "alice@kodeon.test"})
    assert status == 200, status
    status, unknown, _ = b.submit("/forgot-password", "/forgot-password", {"login": "nobody@kodeon.test"})
    assert status == 200, status
    assert known.replace("alice@kodeon.test", "X") == unknown.replace("nobody@kodeon.test", "X")
    assert "If an account with that name or address exists" in known


@step("the reset mail's link sets a new password, once")
def _():
    message = wait_for_mail("alice@kodeon.test", "Reset")
    link = link_in(message, "/reset-password/")
    b = Browser()
    status, body, _ = b.submit(link, link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert status == 200 and "has been changed" in body, (status, body)
    status, body, _ = b.open(link)
    assert status == 400 and "used already" in body, (status, body)
    status, _, _ = b.open(link, {"csrf": "x", "new_password": "whatever123", "confirm_password": "whatever123"})
    assert status in (400, 403), status


@step("the reset ended the old session; the new password signs in, the old one not")
def _():
    status, _, url = alice.open("/home")
    assert url.endswith("/login"), (status, url)
    status, _, _ = Browser().sign_in("alice", PASSWORD)
    assert status == 401, status
    status, _, url = Browser().sign_in("alice", NEW_PASSWORD)
    assert status == 200 and url.endswith("/home"), (status, url)
    unknown = [m for m in received() if "nobody" in str(m["To"])]
    assert not unknown, "no mail for an unknown account"


@step("an admin's test message from the panel arrives")
def _():
    subprocess.run(
        [BINARY, "admin", "--data-dir", DATA, "create-user", "--username", "root",
         "--email", "root@kodeon.test", "--password", PASSWORD, "--admin"],
        env=ENV, check=True, capture_output=True, timeout=60,
    )
    admin = Browser()
    status, _, url = admin.submit("/admin/login", "/admin/login", {"login": "root", "password": PASSWORD})
    assert status == 200 and url.rstrip("/").endswith("/admin"), (status, url)
    status, body, _ = admin.submit("/admin/email", "/admin/email/test", {"to": "ops@kodeon.test"})
    assert status == 200 and "took the test message" in body, (status, body)
    message = wait_for_mail("ops@kodeon.test", "Test message")
    assert BASE in message.get_body(preferencelist=("plain",)).get_content()
    status, _, _ = admin.open("/admin/email/test", {"to": "ops@kodeon.test"})
    assert status == 403, "no form token, no message"


proc.terminate()
try:
    proc.wait(timeout=15)
except subprocess.TimeoutExpired:
    proc.kill()
controller.stop()
if failed:
    print("node log: " + os.path.join(DATA, "node.log"))
    with open(os.path.join(DATA, "node.log")) as f:
        sys.stdout.write(f.read()[-4000:])
else:
    shutil.rmtree(DATA, ignore_errors=True)
    shutil.rmtree(SPOOL, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
