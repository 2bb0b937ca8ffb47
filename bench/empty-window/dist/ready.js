// The same marks as the app's page (ui/src/lib/startup.ts), as far as an empty page has them.
const scriptMs = performance.timeOrigin + performance.now();
requestAnimationFrame(() =>
  requestAnimationFrame(() =>
    window.__TAURI_INTERNALS__.invoke("first_render", {
      navigationMs: performance.timeOrigin,
      scriptMs,
      modulesMs: scriptMs,
      paintedMs: performance.timeOrigin + performance.now(),
    }),
  ),
);
