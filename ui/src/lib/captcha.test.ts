import { describe, expect, it } from "vitest";
import { msUntilStale } from "./captcha";

describe("captcha freshness", () => {
  const c = (expires_at: string) => ({ captcha_id: "c", image: "", expires_at });
  const now = Date.parse("2026-12-06T10:00:00Z");

  it("is replaced five seconds before it expires", () => {
    expect(msUntilStale(c("2026-12-06T10:02:00Z"), now)).toBe(115_000);
    expect(msUntilStale(c("2026-12-06T10:00:03Z"), now)).toBe(0);
  });

  it("an unreadable expiry is treated as stale", () => {
    expect(msUntilStale(c("soon"), now)).toBe(0);
  });
});
