//! The demo bank's HTML. Self-contained pages (inline CSS and SVG, no request to another site, no
//! favicon request), so the demo works offline and screenshots show what a customer would see.

use super::OUTAGE_MESSAGE;

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f2f4f8;color:#1c2333}
header{background:#0b3d6e;color:#fff;display:flex;align-items:center;justify-content:space-between;padding:14px 32px}
header .brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:20px;letter-spacing:.3px}
header nav{display:flex;align-items:center}
header nav a{color:#cfe3ff;margin-left:18px;text-decoration:none;font-size:15px}
main{max-width:880px;margin:36px auto;padding:0 20px}
.card{background:#fff;border-radius:14px;box-shadow:0 2px 10px rgba(11,61,110,.08);padding:28px;margin-bottom:22px}
.hero{display:flex;gap:28px;align-items:center}
.hero h1{margin:0 0 10px;font-size:30px}
.muted{color:#5b6476}
.btn{display:inline-block;background:#0b6ee0;color:#fff;border:0;border-radius:10px;padding:12px 22px;font-size:16px;text-decoration:none;cursor:pointer}
.btn:hover{background:#095bb8}
.btn.secondary{background:#e6edf7;color:#0b3d6e}
form label{display:block;margin:14px 0 6px;font-weight:600}
form input{width:100%;padding:11px 12px;border:1px solid #c5cedd;border-radius:9px;font-size:16px}
main form .btn{margin-top:20px;width:100%}
.narrow{max-width:420px;margin:0 auto}
.error{background:#fdecec;color:#9b1c1c;border:1px solid #f5c2c2;border-radius:9px;padding:10px 12px}
.notice{background:#eef6ff;border:1px solid #cfe3ff;border-radius:9px;padding:10px 12px}
.bankcard{background:linear-gradient(135deg,#0b3d6e,#0b6ee0);color:#fff;border-radius:16px;padding:22px;min-width:300px;max-width:360px;flex-shrink:0}
.bankcard .num{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;letter-spacing:2px;margin:26px 0 10px}
.balance{font-size:34px;font-weight:700;margin:6px 0}
table{width:100%;border-collapse:collapse}
td{padding:9px 4px;border-bottom:1px solid #eef1f6}
td.amount{text-align:right;font-variant-numeric:tabular-nums}
#cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#1c2333;color:#fff;padding:14px 32px;display:flex;justify-content:space-between;align-items:center;gap:20px}
.outage{text-align:center;padding:48px 28px}
.outage h1{color:#9b1c1c}
footer{text-align:center;color:#8a93a5;font-size:13px;margin:40px 0}
#menu-button{display:none;background:none;border:1px solid #cfe3ff;color:#fff;border-radius:8px;padding:6px 12px;font-size:15px}
@media (max-width:640px){
header{flex-wrap:wrap;padding:12px 16px}
#menu-button{display:inline-block}
header nav{display:none;width:100%;flex-direction:column;align-items:stretch;padding-top:8px}
header nav.open{display:flex}
header nav a,header nav form{margin:10px 0 0}
header nav form .btn{margin-left:0!important;width:100%}
main{margin:20px auto;padding:0 12px}
.card{padding:20px}
.hero{flex-direction:column;align-items:stretch}
.bankcard{min-width:0;max-width:none}
#cookie-banner{flex-direction:column;padding:14px 16px}
}
"#;

const LOGO: &str = r##"<svg width="30" height="30" viewBox="0 0 30 30" aria-hidden="true"><circle cx="15" cy="15" r="14" fill="#fff"/><path d="M8 10 L15 22 L22 10" stroke="#0b3d6e" stroke-width="3.2" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>"##;

/// On a phone (a narrow viewport) the header's links fold behind this button.
const MENU_BUTTON: &str = r#"<button id="menu-button" type="button" aria-controls="menu" aria-expanded="false" onclick="const n=document.getElementById('menu');this.setAttribute('aria-expanded',n.classList.toggle('open'))">Menu</button>"#;

use crate::text::escape_html as escape;

fn layout(title: &str, signed_in: bool, body: &str) -> String {
    let nav = if signed_in {
        r#"<a id="nav-account" href="/account">Account</a><form method="post" action="/logout" style="display:inline"><button id="logout" class="btn secondary" style="margin-left:18px;padding:6px 14px;font-size:14px">Log out</button></form>"#
    } else {
        r#"<a id="nav-home" href="/">Home</a><a id="nav-login" href="/login">Log in</a>"#
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} · Vedetta Bank</title><link rel="icon" href="data:,"><style>{STYLE}</style></head>
<body><header><div class="brand">{LOGO}<span>Vedetta Bank</span></div>{MENU_BUTTON}<nav id="menu">{nav}</nav></header>
<main>{body}</main>
<footer>Vedetta Bank is a demo site served by vedetta. No real money, no real customers.</footer>
</body></html>"#,
        title = escape(title)
    )
}

fn error_box(error: Option<&str>) -> String {
    error
        .map(|e| {
            format!(
                r#"<p id="error" class="error" role="alert">{}</p>"#,
                escape(e)
            )
        })
        .unwrap_or_default()
}

pub fn home(show_cookie_banner: bool) -> String {
    let banner = if show_cookie_banner {
        r#"<div id="cookie-banner"><span>We use technical cookies only, to keep you signed in.</span>
<button class="accept btn" onclick="document.cookie='vb_cookies=ok; path=/; SameSite=Lax';document.getElementById('cookie-banner').remove()">Accept</button></div>"#
    } else {
        ""
    };
    layout(
        "Home",
        false,
        &format!(
            r#"<section class="card hero"><div><h1>Your card, always in view.</h1>
<p class="muted">Check your balance and recent payments any time, from any device.</p>
<a id="login" class="btn" href="/login">Log in</a></div>
<div class="bankcard"><div>Vedetta Classic</div><div class="num">•••• •••• •••• 4821</div><div>MARIO ROSSI</div></div></section>
<section class="card"><h2>Secure by design</h2><p class="muted">Every login is confirmed with a one-time code sent by SMS to your phone.</p></section>
{banner}"#
        ),
    )
}

pub fn login(username: &str, error: Option<&str>) -> String {
    layout(
        "Log in",
        false,
        &format!(
            r#"<section class="card narrow"><h1>Log in</h1>{error}
<form method="post" action="/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" value="{username}" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button id="submit" class="btn" type="submit">Log in</button>
</form></section>"#,
            error = error_box(error),
            username = escape(username)
        ),
    )
}

/// `+393330000001` → `+39 333 ••• 0001`: enough for the customer to recognise the phone.
fn masked_phone(phone: &str) -> String {
    if phone.len() < 9 {
        return "your phone".into();
    }
    format!(
        "{} {} ••• {}",
        &phone[..3],
        &phone[3..6],
        &phone[phone.len() - 4..]
    )
}

pub fn verify(phone: &str, error: Option<&str>) -> String {
    layout(
        "Confirm it's you",
        false,
        &format!(
            r#"<section class="card narrow"><h1>Confirm it's you</h1>
<p class="notice">We sent a 6-digit code by SMS to <strong>{phone}</strong>. It expires in 5 minutes.</p>{error}
<form method="post" action="/verify" autocomplete="off">
<label for="otp">Verification code</label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
<button id="verify" class="btn" type="submit">Verify</button>
</form></section>"#,
            phone = escape(&masked_phone(phone)),
            error = error_box(error)
        ),
    )
}

/// The account page. Its balance comes from the bank's API, as a banking app's does: the page
/// shows "Loading your balance…" until its script has fetched it, and keeps showing it when
/// the API fails. Without `load_balance` (the `no-balance` fault) the page never asks: no
/// request fails, the balance just never comes.
pub fn account(load_balance: bool) -> String {
    let script = if load_balance { BALANCE_SCRIPT } else { "" };
    let balance = format!(
        r#"<div class="balance muted" id="balance">Loading your balance…</div><p class="muted">Available balance</p>{script}"#
    );
    layout(
        "Your card",
        true,
        &format!(
            r#"<h1>Welcome back, Mario</h1>
<section class="card hero"><div id="card" class="bankcard"><div>Vedetta Classic</div><div class="num">•••• •••• •••• 4821</div><div>MARIO ROSSI</div></div>
<div>{balance}</div></section>
<section class="card"><h2>Recent payments</h2><table>
<tr><td>Supermercato Esselunga</td><td class="amount">− € 54,20</td></tr>
<tr><td>Trenitalia</td><td class="amount">− € 19,90</td></tr>
<tr><td>Salary</td><td class="amount">+ € 1.850,00</td></tr>
</table></section>"#
        ),
    )
}

/// Loads the balance into `#balance`; on an error, says so in the console and leaves the
/// loading text.
const BALANCE_SCRIPT: &str = r#"<script>
fetch("/api/balance?card=4821", { headers: { Accept: "application/json" }, credentials: "same-origin" })
  .then(function (r) { if (!r.ok) { throw new Error("the balance service answered " + r.status); } return r.json(); })
  .then(function (b) { var el = document.getElementById("balance"); el.textContent = b.balance; el.className = "balance"; })
  .catch(function (e) { console.error("Could not load the balance: " + e.message); });
</script>"#;

/// The 503 page of the `outage` fault, as customers saw it in the incident.
pub fn outage() -> String {
    layout(
        "Servizio non disponibile",
        false,
        &format!(
            r#"<section class="card outage"><h1>Servizio non disponibile</h1>
<p id="outage-message">{}</p>
<button id="retry" class="btn" onclick="location.reload()">Retry</button></section>"#,
            escape(OUTAGE_MESSAGE)
        ),
    )
}
