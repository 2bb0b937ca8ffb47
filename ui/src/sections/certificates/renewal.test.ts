import { describe, expect, it } from "vitest";
import en from "../../lib/i18n/en";
import zhCN from "../../lib/i18n/zh-CN";
import { renewErrorText } from "./renewal";

const err = (code: string, details: unknown = null) => ({ code, message: "m", details });

describe("renewal messages", () => {
  it("say a renewal's lost key as a renewal's, not a download's", () => {
    const lost = err("key_lost", { business: "renewal" });
    expect(renewErrorText(zhCN, lost)).toBe(zhCN.renewResume.keyLost);
    expect(renewErrorText(en, lost)).toBe(en.renewResume.keyLost);
    expect(renewErrorText(zhCN, err("key_lost"))).toBe(zhCN.errors.key_lost);
  });
  it("say everything else as a PIN operation does", () => {
    expect(renewErrorText(zhCN, err("pin_locked"))).toBe(zhCN.certs.locked);
    expect(renewErrorText(zhCN, err("ca_unreachable"))).toBe(zhCN.errors.ca_unreachable);
  });
});
