import { describe, expect, it } from "vitest";
import en from "../i18n/en";
import zhCN from "../i18n/zh-CN";
import { asIpcError, errorText, fieldErrors, fmt } from "./errors";

describe("IPC errors", () => {
  it("translate by code in both languages", () => {
    const e = { code: "pin_locked", message: "CKR_PIN_LOCKED", details: null };
    expect(errorText(zhCN, e)).toBe(zhCN.errors.pin_locked);
    expect(errorText(en, e)).toBe(en.errors.pin_locked);
  });
  it("never show an unknown shape's text; it becomes internal", () => {
    expect(asIpcError("boom").code).toBe("internal");
    expect(asIpcError({ code: "nonsense" }).code).toBe("internal");
    expect(errorText(en, new Error("secret 123456"))).toBe(en.errors.internal);
  });
  it("a CA problem the catalog knows gets its own sentence, with the wait", () => {
    const e = {
      code: "ca_rejected",
      message: "the CA refused the request (locked_out)",
      details: { problem: "locked_out", fields: [], retry_after: 900 },
    };
    expect(errorText(zhCN, e)).toBe(fmt(zhCN.problems.locked_out, { m: 15 }));
    expect(errorText(en, e)).toContain("15 min");
    const unknown = { ...e, details: { problem: "bad_signature" } };
    expect(errorText(en, unknown)).toBe(en.errors.ca_rejected);
  });
  it("a skewed clock says by how much", () => {
    const e = { code: "clock_skewed", message: "x", details: { seconds: -610 } };
    expect(errorText(zhCN, e)).toContain("约 10 分钟");
    expect(errorText(en, e)).toContain("about 10 minutes");
    expect(errorText(en, { ...e, details: null })).toBe(en.errors.clock_skewed);
  });
  it("field errors come in the active language", () => {
    const e = {
      code: "ca_rejected",
      message: "x",
      details: {
        problem: "validation_failed",
        fields: [{ field: "phone", kind: "format", message_zh: "手机号格式不正确", message_en: "bad phone" }],
      },
    };
    expect(fieldErrors(e, "zh-CN")).toEqual({ phone: "手机号格式不正确" });
    expect(fieldErrors(e, "en")).toEqual({ phone: "bad phone" });
    expect(fieldErrors("boom", "en")).toEqual({});
  });
});
