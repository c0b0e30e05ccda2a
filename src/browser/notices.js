// What the page is telling the customer: the visible text of its alerts and error messages
// (ARIA alerts and live regions, and the usual error/alert classes), outermost first, at most
// three, each on one line.
const picked = [];
const texts = [];
const sel = '[role=alert],[role=alertdialog],[aria-live=assertive],[aria-live=polite],' +
  '.error,.alert,.alert-danger,.alert-error,.error-message,.notification.is-danger';
for (const el of document.querySelectorAll(sel)) {
  if (picked.some(p => p.contains(el))) continue;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) continue;
  if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ visibilityProperty: true })) continue;
  const t = (el.innerText || '').replace(/\s+/g, ' ').trim();
  if (!t || texts.includes(t)) continue;
  picked.push(el);
  texts.push(t.length > 300 ? t.slice(0, 299) + '…' : t);
  if (texts.length === 3) break;
}
return texts;
