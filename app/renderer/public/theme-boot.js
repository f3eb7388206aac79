// The analyst's theme on <html data-theme> before the first paint, so a dark-theme user never sees
// a light frame. A classic script in <head>: parser-blocking on purpose, from the page's own origin
// (CSP script-src 'self' — no inline script). Vite copies it as it is (public/). It reads the key
// theme-preference.ts writes (a test keeps the two equal); start-app.tsx takes the theme from the
// attribute, so React starts in it and never paints another.
(function () {
  var theme = null;
  try {
    var saved = window.localStorage.getItem('mlshield.theme');
    if (saved === 'dark' || saved === 'light') theme = saved;
  } catch (e) {
    // storage may be disabled: the system's theme
  }
  if (theme === null) {
    theme = window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
  }
  document.documentElement.setAttribute('data-theme', theme);
})();
