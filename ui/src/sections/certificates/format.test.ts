import { describe, expect, it } from "vitest";
import { commonName, countdown, tone } from "./format";

const t = { daysLeft: "剩余 {n} 天", expiresToday: "今天到期", expired: "已过期 {n} 天" };

describe("certificate format", () => {
  it("takes the CN of a DN", () => {
    expect(commonName("CN=北京某某科技有限公司,O=x,C=CN")).toBe("北京某某科技有限公司");
    expect(commonName("O=x, CN=y")).toBe("y");
    expect(commonName("O=only")).toBe("O=only");
  });
  it("counts down and colours by the reminder thresholds", () => {
    expect(countdown(45, t)).toBe("剩余 45 天");
    expect(countdown(0, t)).toBe("今天到期");
    expect(countdown(-3, t)).toBe("已过期 3 天");
    expect([tone(200), tone(89), tone(29), tone(6), tone(-1)]).toEqual(["ok", "soon", "urgent", "urgent", "expired"]);
  });
});
