// One round trip per poll: the page's state, the step's target element and the fail_fast
// element signatures. arguments[0] = {target, signatures, want_text}.
// (`all` and `visible` come from select.js, prepended.)
const req = arguments[0];
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
const out = {};
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
if (req.target) {
  let found;
  try {
    found = all(req.target);
  } catch (e) {
    out.target = { invalid: String(e && e.message || e) };
    return out;
  }
  if (found.length === 0) {
    out.target = { missing: true };
  } else {
    // Prefer a visible and enabled match, then a visible one, then the first.
    const vis = found.filter(visible);
    const el = vis.find(enabled) || vis[0] || found[0];
    const v = visible(el);
    out.target = {
      element: el,
      count: found.length,
      visible: v,
      enabled: enabled(el),
      checked: !!el.checked,
      text: v ? textOf(el) : null,
      // Several visible matches: the step may act on another element than the author meant.
      visible_count: vis.length,
      first_visible: vis.length > 1 ? [el].concat(vis.filter(x => x !== el)).slice(0, 2).map(describe) : [],
    };
  }
}
return out;
