// Shared by the page scripts (probe, secret hiding, element boxes): what a selector matches,
// and whether an element is visible. A selector is {css}, {xpath}, or {scoped: {target,
// within, nth}} for a locator narrowed by `within:` / `nth:`.
function all(sel) {
  if (sel.scoped !== undefined) {
    const s = sel.scoped;
    let found = all(s.target);
    if (s.within) {
      const containers = all(s.within);
      found = found.filter(el => containers.some(c => c !== el && c.contains(el)));
    }
    if (s.nth) {
      const vis = found.filter(visible);
      return vis.length >= s.nth ? [vis[s.nth - 1]] : [];
    }
    return found;
  }
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
