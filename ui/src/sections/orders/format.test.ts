import { describe, expect, it } from "vitest";
import { money, when } from "./format";

describe("order formatting", () => {
  it("shows fen as yuan with two decimals", () => {
    expect(money(12800, "元")).toBe("128.00 元");
    expect(money(5, "CNY")).toBe("0.05 CNY");
  });
  it("keeps an unreadable time as given", () => {
    expect(when("not a time", "en")).toBe("not a time");
    expect(when("2026-11-21T14:00:00Z", "zh-CN")).toMatch(/2026/);
  });
});
