import { describe, expect, it } from "vitest";
import { clock, secondsLeft } from "./countdown";

describe("payment countdown", () => {
  it("counts whole seconds down to the expiry and stops at zero", () => {
    const now = Date.parse("2026-11-21T10:00:00Z");
    expect(secondsLeft("2026-11-21T10:15:00Z", now)).toBe(900);
    expect(secondsLeft("2026-11-21T10:00:00.400Z", now)).toBe(1);
    expect(secondsLeft("2026-11-21T09:59:00Z", now)).toBe(0);
    expect(secondsLeft("not a time", now)).toBe(0);
  });

  it("shows minutes and two-digit seconds", () => {
    expect(clock(900)).toBe("15:00");
    expect(clock(65)).toBe("1:05");
    expect(clock(0)).toBe("0:00");
  });
});
