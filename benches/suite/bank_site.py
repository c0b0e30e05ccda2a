"""The benchmark's site: a small bank with built-in delays, served on 127.0.0.1.

Every tool walks the same journey against it: home → sign in (the server answers the login
after 300 ms) → the one-time code page (it "sends" the code for 400 ms before showing the
field; the code is read from /last-code, as a test backdoor would give it) → verify (300 ms) →
the account page, whose balance comes from an API that answers after 600 ms → choose a
statement period (the statement shows 200 ms later) → screenshot. The site itself waits 1.8 s
per journey.

    python3 bank_site.py PORT_FILE     # serves on a free port, writes it to PORT_FILE
"""

import http.server
import random
import sys
import threading
import time
import urllib.parse

LOGIN_DELAY = 0.3
OTP_REVEAL_MS = 400
VERIFY_DELAY = 0.3
BALANCE_DELAY = 0.6
STATEMENT_MS = 200

codes = {}  # user → last code sent
sessions = {}  # session id → user (signed in, code not yet verified: None)
lock = threading.Lock()

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}} .hidden{{display:none}}
button{{padding:.5em 1em}} #balance{{font-size:2em}}</style></head><body>{body}</body></html>"""

HOME = """<h1>Bench Bank</h1><p>Welcome.</p><a id="signin" href="/login">Sign in</a>"""

LOGIN = """<h1>Sign in</h1><form method="post" action="/login">
<label>User <input id="username" name="username"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="login" type="submit">Sign in</button></form>"""

OTP = """<h1>One-time code</h1><p id="sending">Sending your code…</p>
<form id="otp-form" class="hidden" method="post" action="/otp">
<label>Code <input id="otp" name="otp" autocomplete="one-time-code"></label>
<button id="verify" type="submit">Verify</button></form>
<script>setTimeout(function () {
  document.getElementById('sending').textContent = 'We sent you a code.';
  document.getElementById('otp-form').classList.remove('hidden');
}, %d);</script>""" % OTP_REVEAL_MS

ACCOUNT = """<h1>Your account</h1><p>Card balance: <span id="balance">Loading…</span></p>
<label class="hidden" id="period-label">Statement <select id="period">
<option>Last 7 days</option><option>Last 30 days</option><option>Last 90 days</option>
</select></label><p id="statement"></p>
<script>
fetch('/api/balance').then(r => r.json()).then(function (b) {
  document.getElementById('balance').textContent = b.balance;
  document.getElementById('period-label').classList.remove('hidden');
});
document.getElementById('period').addEventListener('change', function (e) {
  const p = e.target.value;
  setTimeout(function () {
    document.getElementById('statement').textContent = 'Statement for ' + p.toLowerCase();
  }, %d);
});
</script>""" % STATEMENT_MS


class Bank(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def page(self, title, body):
        self.send(200, PAGE.format(title=title, body=body))

    def redirect(self, to, headers=()):
        self.send(303, "", headers=[("Location", to), *headers])

    def session(self):
        cookie = self.headers.get("Cookie", "")
        for part in cookie.split(";"):
            k, _, v = part.strip().partition("=")
            if k == "session":
                return v
        return None

    def form(self):
        n = int(self.headers.get("Content-Length", "0"))
        return dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/":
            self.page("Bench Bank", HOME)
        elif url.path == "/login":
            self.page("Sign in", LOGIN)
        elif url.path == "/otp":
            self.page("One-time code", OTP)
        elif url.path == "/last-code":
            user = urllib.parse.parse_qs(url.query).get("user", [""])[0]
            with lock:
                code = codes.get(user)
            if code:
                self.send(200, "code=%s\n" % code, "text/plain")
            else:
                self.send(404, "no code\n", "text/plain")
        elif url.path == "/account":
            with lock:
                ok = sessions.get(self.session()) == "verified"
            if ok:
                self.page("Account", ACCOUNT)
            else:
                self.redirect("/login")
        elif url.path == "/api/balance":
            time.sleep(BALANCE_DELAY)
            self.send(200, '{"balance": "€ 1.234,56"}', "application/json")
        else:
            self.send(404, "not found", "text/plain")

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        form = self.form()
        if url.path == "/login":
            time.sleep(LOGIN_DELAY)
            user = form.get("username", "")
            sid = "%032x" % random.getrandbits(128)
            code = "%06d" % random.randrange(10**6)
            with lock:
                codes[user] = code
                sessions[sid] = ("code", user, code)
            self.redirect("/otp", [("Set-Cookie", "session=%s; Path=/; HttpOnly" % sid)])
        elif url.path == "/otp":
            time.sleep(VERIFY_DELAY)
            sid = self.session()
            with lock:
                s = sessions.get(sid)
                ok = s and s[0] == "code" and s[2] == form.get("otp")
                if ok:
                    sessions[sid] = "verified"
            self.redirect("/account" if ok else "/otp")
        else:
            self.send(404, "not found", "text/plain")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bank)
    server.daemon_threads = True
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
