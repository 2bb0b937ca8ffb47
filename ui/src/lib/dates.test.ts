import { describe, expect, it } from "vitest";
import { day, timeOfDay, when } from "./dates";

describe("dates", () => {
  // Local time: built from parts so the test holds in any time zone.
  const t = new Date(2026, 11, 5, 9, 7).toISOString();

  it("one format per language", () => {
    expect(day(t, "zh-CN")).toBe("2026-12-05");
    expect(day(t, "en")).toBe("5 Dec 2026");
    expect(when(t, "zh-CN")).toBe("2026-12-05 09:07");
    expect(when(t, "en")).toBe("5 Dec 2026, 09:07");
    expect(timeOfDay(t)).toBe("09:07");
  });

  it("keeps unreadable input as given", () => {
    expect(day("not a time", "en")).toBe("not a time");
    expect(when("", "zh-CN")).toBe("");
    expect(timeOfDay("not a time")).toBe("not a time");
  });
});
