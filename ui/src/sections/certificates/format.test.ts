import { describe, expect, it } from "vitest";
import { countdown, tone } from "./format";

const t = { daysLeft: "剩余 {n} 天", expiresToday: "今天到期", expired: "已过期 {n} 天" };

describe("certificate format", () => {
  it("counts down and colours by the reminder thresholds", () => {
    expect(countdown(45, t)).toBe("剩余 45 天");
    expect(countdown(0, t)).toBe("今天到期");
    expect(countdown(-3, t)).toBe("已过期 3 天");
    expect([tone(200), tone(89), tone(29), tone(6), tone(-1)]).toEqual(["ok", "soon", "urgent", "urgent", "expired"]);
  });
});
