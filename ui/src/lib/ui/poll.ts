/** After this long without an answer, ask less often (a person may take minutes). */
export const SLOW_AFTER_MS = 60_000;
export const SLOW_MS = 5_000;

export type PollOptions = {
  /** Ask every `SLOW_MS` once `SLOW_AFTER_MS` have passed (a person is awaited); off for
   *  things that change on their own schedule (a payment, a queue, a USBKey). */
  slowDown?: boolean;
  now?: () => number;
};

/**
 * The one poller: asks again every `ms` while `tick` answers true (a face check
 * pending, a signature awaited, a payment open), one request at a time, the next ask
 * only after the last answered. `stop` pauses and `start` restarts the count (a new
 * code shown); `dispose` (on unmount) stops it for good.
 */
export function poller(ms: number, tick: () => Promise<boolean>, { slowDown = true, now = Date.now }: PollOptions = {}) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let disposed = false;
  let since = 0;
  const next = (first?: number) => {
    clearTimeout(timer);
    if (stopped) return;
    const delay = first ?? (slowDown && now() - since >= SLOW_AFTER_MS ? Math.max(ms, SLOW_MS) : ms);
    timer = setTimeout(async () => (await tick()) && next(), delay);
  };
  return {
    /** Asks after `ms` (or `first`: 0 asks at once). */
    start(first?: number) {
      if (disposed) return;
      stopped = false;
      since = now();
      next(first);
    },
    /** Pauses until the next `start` (a code replaced, the page left). */
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    dispose() {
      disposed = true;
      stopped = true;
      clearTimeout(timer);
    },
  };
}
