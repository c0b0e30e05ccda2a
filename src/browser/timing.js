// The showing document's load, for the step that loaded it: Navigation Timing (every browser)
// and, where the browser has them, Largest Contentful Paint and layout shifts (Chromium). The
// paint entries are read from the browser's buffer by an observer asked for them at once.
// null without a navigation entry (about:blank), and on the browser's own error page, which
// may have one (Chromium's headless shell, Firefox): its times are not the site's.
const nav = performance.getEntriesByType('navigation')[0];
if (
  !nav ||
  location.protocol === 'chrome-error:' ||
  /^about:(neterror|certerror)\b/.test(document.documentURI || '')
) {
  return null;
}
const supported = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
function buffered(type) {
  if (!supported.includes(type)) return null;
  try {
    const o = new PerformanceObserver(function () {});
    o.observe({ type: type, buffered: true });
    const r = o.takeRecords();
    o.disconnect();
    return r;
  } catch (e) {
    return null;
  }
}
const lcp = buffered('largest-contentful-paint');
const shifts = buffered('layout-shift');
return {
  time_origin: performance.timeOrigin,
  ttfb: nav.responseStart - (nav.activationStart || 0),
  dom_content_loaded: nav.domContentLoadedEventEnd,
  load: nav.loadEventEnd,
  lcp: lcp && lcp.length ? lcp[lcp.length - 1].startTime : null,
  cls: shifts ? shifts.filter(function (s) { return !s.hadRecentInput; })
    .reduce(function (a, s) { return a + s.value; }, 0) : null,
};
