import { describe, expect, it } from "vitest";
import type { CaseSummaryView } from "../../lib/ipc/bindings";
import en from "../../lib/i18n/en";
import zhCN from "../../lib/i18n/zh-CN";
import { MAX_LIST_CHARS, failureText, pickFromList } from "./batch";

const c = (id: string, order: string | null): CaseSummaryView => ({
  id,
  application_id: `app_${id}`,
  status: "approved",
  opened_by: "OP1",
  created_at: "2026-12-07T01:00:00Z",
  order_number: order,
  organisation: "北京示例科技有限公司",
});

const approved = [c("case_a", "202612070001"), c("case_b", "202612070002"), c("case_c", null)];

describe("pickFromList", () => {
  it("matches order numbers and case numbers from a pasted column or a CSV", () => {
    const csv = '订单号,单位\n"202612070002",分公司甲\n202612070001；case_c\n202612079999\n';
    const p = pickFromList(csv, approved);
    expect(p.ids).toEqual(["case_b", "case_a", "case_c"]);
    expect(p.unmatched).toEqual(["订单号", "单位", "分公司甲", "202612079999"]);
  });

  it("names each case once, however often it is listed", () => {
    const p = pickFromList("202612070001\ncase_a\n202612070001", approved);
    expect(p.ids).toEqual(["case_a"]);
    expect(p.unmatched).toEqual([]);
  });

  it("reads no more than the bound", () => {
    const long = `${"x".repeat(MAX_LIST_CHARS)} 202612070001`;
    expect(pickFromList(long, approved).ids).toEqual([]);
  });
});

describe("failureText", () => {
  it("says a pulled token is out, naming its serial, in either language", () => {
    const out = { failure: "wrong_token" as const, token_serial: "9f3a6c21d0e4b7a5" };
    expect(failureText(zhCN, out)).toContain("9f3a6c21d0e4b7a5");
    expect(failureText(zhCN, out)).toContain("重试");
    expect(failureText(en, out)).toBe(
      "USBKey 9f3a6c21d0e4b7a5 is not in a reader (pulled out?). Put it back and press Retry: making goes on on the same USBKey.",
    );
    expect(failureText(en, { failure: "token_absent", token_serial: "X1" })).toContain("X1");
  });

  it("gives other codes their own sentence, with no placeholder left", () => {
    expect(failureText(en, { failure: "ca_unreachable", token_serial: "X1" })).toBe(en.errors.ca_unreachable);
    expect(failureText(zhCN, { failure: "token_not_blank", token_serial: null })).toBe(zhCN.errors.token_not_blank);
  });
});
