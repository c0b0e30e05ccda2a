// Where a person would click `el`: the middle of its first box in view, after scrolling it
// into view if none is; or {covered_by} when another element would get a click there; or null
// when the driver's own click knows better (an <option> of a drop-down, which has no box on
// the page; an element with no box at all). Asked by the look that found the element (see
// probe.js), then the mouse — where chromedriver's own click runs some twenty DevTools calls
// of checks first.
function clickPoint(el) {
if (/^(OPTION|OPTGROUP)$/.test(el.tagName)) return null;
function pointInView() {
  for (const r of el.getClientRects()) {
    const left = Math.max(r.left, 0), top = Math.max(r.top, 0);
    const right = Math.min(r.right, window.innerWidth), bottom = Math.min(r.bottom, window.innerHeight);
    if (right - left >= 1 && bottom - top >= 1) {
      return { x: Math.floor((left + right) / 2), y: Math.floor((top + bottom) / 2) };
    }
  }
  return null;
}
let p = pointInView();
if (!p) {
  el.scrollIntoView({ block: 'center', inline: 'center' });
  p = pointInView();
}
if (!p) return null;
// What the click would land on, inside open shadow roots too.
let hit = document.elementFromPoint(p.x, p.y);
while (hit && hit.shadowRoot) {
  const inner = hit.shadowRoot.elementFromPoint(p.x, p.y);
  if (!inner || inner === hit) break;
  hit = inner;
}
for (let n = hit; n; n = n.parentNode || n.host) {
  if (n === el) return p;
}
if (!hit) return null;
let d = hit.tagName.toLowerCase();
if (hit.id) d += '#' + hit.id;
for (const c of Array.from(hit.classList).slice(0, 2)) d += '.' + c;
return { covered_by: d };
}
