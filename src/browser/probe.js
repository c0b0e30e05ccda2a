// One round trip per look: the page's state, the step's target element, the fail_fast
// element signatures and, when asked, the document's timings. Run as an async script:
// arguments[0] = {target, signatures, want_text, wait, timing, ready}, the last argument the
// driver's callback.
// (`all` and `visible` come from select.js, `clickPoint` from click_point.js, prepended.)
//
// With `ready`, the look that answers with the target usable (visible and enabled) also readies
// it for the step's action, saving the action a round trip: 'click' adds where a click would
// land (`target.click`, see click_point.js); 'type' focuses an empty text field
// (`target.focused`: whether it has the focus now).
//
// Without `wait`, it answers at once. With `wait: {since, max_ms}` it answers at once if the
// page's `key` (a hash of everything the look reports) differs from `since` — the page changed
// since the caller last looked — and otherwise waits for the page to change: a
// MutationObserver and the events that change what a look sees without touching the DOM
// (load, visibility, animations and transitions ending, form input, resizing) each trigger a
// new look, at most one per MIN_GAP_MS; it answers as soon as the key differs, or after max_ms
// (the caller's safety net), or when the document goes away. So a waiting step learns of the
// change within a few milliseconds, and the page is read (its layout, its text) only when it
// changed, never on a timer.
const req = arguments[0];
const answer = arguments[arguments.length - 1];
// Looks at most this often while waiting: a page that changes every frame is not read every
// frame.
const MIN_GAP_MS = 8;
// What no event announces — the URL changed by history.pushState, a form field's value or
// checked state set by a script — is compared this often, cheaply (no layout).
const CHEAP_CHECK_MS = 50;
function enabled(el) {
  return !(el.matches && el.matches(':disabled'));
}
// `button#send.primary "Log in" in form#login`: enough to tell two matches apart.
function describe(el) {
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  for (const c of Array.from(el.classList).slice(0, 2)) d += '.' + c;
  const t = (textOf(el) || '').replace(/\s+/g, ' ').trim();
  if (t) d += ' "' + (t.length > 40 ? t.slice(0, 39) + '…' : t) + '"';
  const region = el.parentElement && el.parentElement.closest('header, nav, footer, form, main, aside, dialog, [role=dialog]');
  if (region) {
    let r = region.tagName.toLowerCase();
    if (region.id) r += '#' + region.id;
    d += ' in ' + r;
  }
  return d;
}
function textOf(el) {
  // A code editor's text is its document, not what it has drawn (line numbers, a viewport).
  const editor = editorOf(el);
  if (editor) return editor.get();
  const tag = el.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA') return el.value;
  if (tag === 'SELECT') return el.selectedIndex >= 0 ? el.options[el.selectedIndex].text : '';
  return el.innerText;
}
// FNV-1a, 32 bits: the key of a look, so that the caller sends back a few bytes, not the page.
function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
// The form control a look found, whose value or checked state a script may set unannounced.
let control = null;
function look() {
  const out = {};
  control = null;
  const nav = performance.getEntriesByType('navigation')[0];
  out.status = nav && nav.responseStatus ? nav.responseStatus : null;
  out.title = document.title;
  out.url = location.href;
  // The browser's own error page, which the driver may have called a successful navigation:
  // Chromium's chrome-error:// document with the net::ERR_… code on it, Firefox's
  // about:neterror / about:certerror document (whose location keeps the failed URL). An
  // http(s) document without a navigation entry was never loaded from the network either.
  const doc = document.documentURI || '';
  if (/^about:(neterror|certerror)\b/.test(doc)) {
    out.error_page = { firefox: doc };
  } else if (location.protocol === 'chrome-error:' || (!nav && /^https?:$/.test(location.protocol))) {
    const shown = document.querySelector('.error-code');
    const text = (shown && shown.textContent) || (document.body ? document.body.innerText : '');
    const code = text.match(/\b(?:net::)?(ERR_[A-Z0-9_]+)\b/i);
    out.error_page = { chromium: code ? code[1] : null };
  } else {
    out.error_page = null;
  }
  out.body_text = req.want_text && document.body ? document.body.innerText.slice(0, 1000000) : null;
  out.signatures = (req.signatures || []).map(function (s) {
    try { return all(s).some(visible); } catch (e) { return false; }
  });
  let element = null;
  if (req.target) {
    let found = null;
    try {
      found = all(req.target);
    } catch (e) {
      out.target = { invalid: String(e && e.message || e) };
    }
    if (found === null) {
      // invalid: reported above
    } else if (found.length === 0) {
      out.target = { missing: true };
    } else {
      // Prefer a visible and enabled match, then a visible one, then the first.
      const vis = found.filter(visible);
      const el = vis.find(enabled) || vis[0] || found[0];
      const v = visible(el);
      element = el;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) control = el;
      out.target = {
        count: found.length,
        visible: v,
        enabled: enabled(el),
        checked: !!el.checked,
        text: v ? textOf(el) : null,
        // fill.js's answer for it known now: `fill` needs no round trip to ask.
        plain_field: /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) && !editorOf(el),
        // A text field with no value: nothing to clear, and the keys can go straight to it
        // (a file, date or colour input is typed into by the driver, which knows each).
        empty: (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' &&
          /^(text|password|email|search|tel|url|number)$/.test(el.type))) && el.value === '',
        // Several visible matches: the step may act on another element than the author meant.
        visible_count: vis.length,
        first_visible: vis.length > 1 ? [el].concat(vis.filter(x => x !== el)).slice(0, 2).map(describe) : [],
      };
    }
  }
  out.key = hash(JSON.stringify(out));
  if (element) out.target.element = element;
  // (timing.js, wrapped as documentTiming and prepended)
  if (req.timing) out.timing = documentTiming();
  return out;
}
function unannounced() {
  return location.href + '\u0000' + (control ? control.value + '\u0000' + control.checked : '');
}
function ready(out) {
  const t = out.target;
  if (!req.ready || !t || !t.element || !t.visible || !t.enabled) return;
  if (req.ready === 'click') {
    t.click = clickPoint(t.element);
  } else if (req.ready === 'type' && t.plain_field && t.empty) {
    t.element.focus();
    t.focused = t.element.getRootNode().activeElement === t.element;
  }
}
function reply(out) {
  try { ready(out); } catch (e) { /* the action readies it itself */ }
  answer(out);
}
let out = look();
const wait = req.wait;
if (!wait || out.key !== wait.since || !(wait.max_ms > 0)) {
  reply(out);
} else {
  let finished = false;
  let pending = null;
  let last = performance.now();
  let cheap = unannounced();
  let bound = null;
  let check = null;
  const events = ['load', 'DOMContentLoaded', 'visibilitychange', 'animationend', 'animationcancel',
    'transitionend', 'transitioncancel', 'input', 'change', 'resize', 'hashchange', 'popstate'];
  const changed = function () {
    if (finished || pending !== null) return;
    const gap = performance.now() - last;
    if (gap >= MIN_GAP_MS) again();
    else pending = setTimeout(again, MIN_GAP_MS - gap);
  };
  const observer = new MutationObserver(changed);
  const finish = function () {
    if (finished) return;
    finished = true;
    observer.disconnect();
    for (const e of events) window.removeEventListener(e, changed, true);
    window.removeEventListener('pagehide', finish, true);
    clearTimeout(pending);
    clearTimeout(bound);
    clearInterval(check);
    reply(out);
  };
  const again = function () {
    pending = null;
    if (finished) return;
    last = performance.now();
    try {
      out = look();
    } catch (e) {
      finish();
      return;
    }
    cheap = unannounced();
    if (out.key !== wait.since) finish();
  };
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  for (const e of events) window.addEventListener(e, changed, true);
  // The document is going away: the caller looks at the next one.
  window.addEventListener('pagehide', finish, true);
  bound = setTimeout(finish, wait.max_ms);
  check = setInterval(function () {
    if (unannounced() !== cheap) changed();
  }, CHEAP_CHECK_MS);
}
