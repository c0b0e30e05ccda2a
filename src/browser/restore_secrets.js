const m = window.__vedettaHidden;
if (m) {
  for (const [el, v] of m.saved) el.value = v;
  for (const [n, v] of m.texts) n.nodeValue = v;
  delete window.__vedettaHidden;
}
