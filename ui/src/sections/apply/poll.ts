/** After this long without an answer, ask less often (a person may take minutes). */
export const SLOW_AFTER_MS = 60_000;
export const SLOW_MS = 5_000;

/**
 * Asks something again every `ms` while `tick` answers true (a face check pending, a
 * signature awaited) — every `SLOW_MS` once `SLOW_AFTER_MS` have passed — one request at
 * a time, stopped for good by `stop` (on unmount).
 */
export function poller(ms: number, tick: () => Promise<boolean>, now: () => number = Date.now) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let since = 0;
  const next = () => {
    clearTimeout(timer);
    if (stopped) return;
    const delay = now() - since >= SLOW_AFTER_MS ? Math.max(ms, SLOW_MS) : ms;
    timer = setTimeout(async () => (await tick()) && next(), delay);
  };
  return {
    start() {
      since = now();
      next();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
