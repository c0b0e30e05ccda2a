// One round trip per poll: the page's state, the step's target element and the fail_fast
// element signatures. arguments[0] = {target, signatures, want_text}.
const req = arguments[0];
function all(sel) {
  if (sel.css !== undefined) return Array.from(document.querySelectorAll(sel.css));
  const r = document.evaluate(sel.xpath, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  const out = [];
  for (let i = 0; i < r.snapshotLength; i++) {
    const n = r.snapshotItem(i);
    if (n.nodeType === 1) out.push(n);
  }
  return out;
}
// Visible as a person sees it: laid out with a size, not display:none/visibility:hidden.
function visible(el) {
  if (!el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  if (typeof el.checkVisibility === 'function') {
    return el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  }
  const s = getComputedStyle(el);
  return s.display !== 'none' && s.visibility !== 'hidden';
}
function enabled(el) {
  return !(el.matches && el.matches(':disabled'));
}
function textOf(el) {
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
    };
  }
}
return out;
