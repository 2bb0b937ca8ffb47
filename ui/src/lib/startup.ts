import type { FirstRenderMarks, Settings } from "./ipc/bindings";

/** When the page reached each point of its start (ms since the epoch), for the start-up
 *  bench; src-tauri/startup.rs prints them only when the bench asks. Imported first by
 *  main.ts, so `script_ms` is when the page's script began to run. */
const now = () => performance.timeOrigin + performance.now();

export const startupMarks: FirstRenderMarks = {
  navigation_ms: performance.timeOrigin,
  script_ms: now(),
  modules_ms: 0,
  mounted_ms: 0,
  settings_ms: 0,
  painted_ms: 0,
};

export function markStartup(phase: "modules_ms" | "mounted_ms" | "settings_ms" | "painted_ms") {
  startupMarks[phase] = now();
}

declare global {
  interface Window {
    /** Put in the page by the app before any script runs (src-tauri/window.rs). */
    __CERTDESK_SETTINGS__?: Settings;
  }
}

/** The settings the app handed over with the page, so the first render is already in
 *  the user's language without waiting for a round trip; absent outside the app. */
export const bootSettings: Settings | undefined = window.__CERTDESK_SETTINGS__;
