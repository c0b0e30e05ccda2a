const [fields, secrets, mask] = arguments;
const saved = [], texts = [];
const seen = new Set();
function blank(el) {
  if (seen.has(el) || !('value' in el)) return;
  seen.add(el); saved.push([el, el.value]); el.value = '';
}
// (`all` comes from select.js, prepended.)
function matches(sel) {
  try { return all(sel); } catch (e) { return []; }
}
for (const sel of fields) for (const el of matches(sel)) blank(el);
if (secrets.length) {
  for (const el of document.querySelectorAll('input, textarea')) {
    if (secrets.some(s => el.value.includes(s))) blank(el);
  }
  if (document.body) {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (w.nextNode()) {
      const n = w.currentNode;
      let v = n.nodeValue, changed = false;
      for (const s of secrets) if (v.includes(s)) { v = v.split(s).join(mask); changed = true; }
      if (changed) { texts.push([n, n.nodeValue]); n.nodeValue = v; }
    }
  }
}
// What restore_secrets.js puts back; nothing hidden, nothing to keep (and no restore is run).
if (saved.length + texts.length) window.__vedettaHidden = { saved, texts };
return saved.length + texts.length;
