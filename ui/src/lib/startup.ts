import type { FirstRenderMarks } from "./ipc/bindings";

/** When the page reached each point of its start (ms since the epoch), for the start-up
 *  bench; src-tauri/startup.rs prints them only when the bench asks. Imported first by
 *  main.ts, so `script_ms` is when the page's script began to run. */
const now = () => performance.timeOrigin + performance.now();

export const startupMarks: FirstRenderMarks = {
  navigation_ms: performance.timeOrigin,
  script_ms: now(),
  settings_ms: 0,
  painted_ms: 0,
};

export function markStartup(phase: "settings_ms" | "painted_ms") {
  startupMarks[phase] = now();
}
