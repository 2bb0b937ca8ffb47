import { describe, expect, it } from "vitest";
import en from "../i18n/en";
import zhCN from "../i18n/zh-CN";
import { asIpcError, errorText } from "./errors";

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
});
