import { describe, expect, it } from "vitest";
import { chinaDay, facts, yuan } from "./close";

describe("daily close helpers", () => {
  it("counts the day in China time, whatever the machine's zone", () => {
    // 2026-12-06 16:30 UTC is 00:30 on 7 December in Beijing.
    expect(chinaDay(new Date("2026-12-06T16:30:00Z"))).toBe("2026-12-07");
    expect(chinaDay(new Date("2026-12-06T15:59:59Z"))).toBe("2026-12-06");
  });

  it("states fen as yuan with two decimals", () => {
    expect(yuan(40000)).toBe("¥400.00");
    expect(yuan(5)).toBe("¥0.05");
  });

  it("lists only the facts a difference has", () => {
    const t = { operator: "操作员", case: "受理", order: "订单", token: "USBKey", amount: "金额", note: "备注" };
    expect(facts({ id: "token_spoiled:TK1", kind: "token_spoiled", token_serial: "TK1", note: "锁死" }, t)).toEqual([
      "USBKey TK1",
      "备注 锁死",
    ]);
    expect(facts({ id: "paid_not_made:p", kind: "paid_not_made", operator_id: "OP1", amount_fen: 40000 }, t)).toEqual([
      "操作员 OP1",
      "金额 ¥400.00",
    ]);
  });
});
