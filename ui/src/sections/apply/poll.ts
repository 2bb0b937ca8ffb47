/**
 * Asks something again every `ms` while `tick` answers true (a face check pending, a
 * signature awaited); one request at a time, stopped for good by `stop` (on unmount).
 */
export function poller(ms: number, tick: () => Promise<boolean>) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(async () => (await tick()) && next(), ms);
  };
  return {
    start: next,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
