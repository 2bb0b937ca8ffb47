import { describe, expect, it } from "vitest";
import zhCN from "../../lib/i18n/zh-CN";
import { needsConfirmation, pinErrorText } from "./pin";

const err = (code: string, details: unknown = null) => ({ code, message: "m", details });

describe("PIN messages", () => {
  it("say how many tries are left", () => {
    expect(pinErrorText(zhCN, err("pin_incorrect", { pin_status: "ok" }))).toBe(zhCN.certs.wrongPin);
    expect(pinErrorText(zhCN, err("pin_incorrect", { pin_status: "count_low" }))).toBe(zhCN.certs.wrongPinLow);
    expect(pinErrorText(zhCN, err("pin_incorrect", { pin_status: "final_try" }))).toBe(zhCN.certs.wrongPinFinal);
    expect(pinErrorText(zhCN, err("pin_locked"))).toBe(zhCN.certs.locked);
  });
  it("name the broken rule and the final-try confirmation", () => {
    expect(pinErrorText(zhCN, err("invalid_input", { pin_rule: "too_short", min: 8 }))).toContain("8");
    // The code says it, as for a download (one mapping in Rust).
    const e = err("pin_final_try");
    expect(needsConfirmation(e)).toBe(true);
    expect(needsConfirmation(err("pin_incorrect", { pin_status: "final_try" }))).toBe(false);
    expect(pinErrorText(zhCN, e)).toBe(zhCN.certs.finalTryNeeded);
    expect(pinErrorText(zhCN, err("token_absent"))).toBe(zhCN.errors.token_absent);
  });
});
