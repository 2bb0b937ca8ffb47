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

describe("poller without slowing down", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps its pace past a minute and can be started again after stop", async () => {
    let calls = 0;
    const p = poller(
      2000,
      async () => {
        calls += 1;
        return true;
      },
      { slowDown: false },
    );
    p.start();
    await vi.advanceTimersByTimeAsync(SLOW_AFTER_MS);
    const atMinute = calls;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls - atMinute).toBe(5);
    p.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    const stopped = calls;
    p.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(stopped + 1);
    p.stop();
  });
});

describe("a disposed poller", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("cannot be started again (an unmounted page asks nothing)", async () => {
    let calls = 0;
    const p = poller(1000, async () => {
      calls += 1;
      return true;
    });
    p.start(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    p.dispose();
    p.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1);
  });
});
