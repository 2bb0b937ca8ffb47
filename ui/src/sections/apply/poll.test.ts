import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SLOW_AFTER_MS, SLOW_MS, poller } from "./poll";

describe("poller", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks while the answer is 'go on', slower after a minute, and never after stop", async () => {
    let calls = 0;
    let goOn = true;
    const p = poller(1000, async () => {
      calls += 1;
      return goOn;
    });
    p.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(SLOW_AFTER_MS);
    const atSlow = calls;
    await vi.advanceTimersByTimeAsync(SLOW_MS * 2);
    expect(calls - atSlow).toBeLessThanOrEqual(3);
    goOn = false;
    await vi.advanceTimersByTimeAsync(SLOW_MS);
    const done = calls;
    await vi.advanceTimersByTimeAsync(SLOW_MS * 3);
    expect(calls).toBe(done);
    p.stop();
  });

  it("stop cancels the pending ask", async () => {
    let calls = 0;
    const p = poller(1000, async () => {
      calls += 1;
      return true;
    });
    p.start();
    p.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(0);
  });
});
