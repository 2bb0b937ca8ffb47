import { describe, expect, it } from "vitest";
import en from "../../lib/i18n/en";
import zhCN from "../../lib/i18n/zh-CN";
import type { DamagedObject } from "../../lib/ipc/bindings";
import { describeDamaged } from "./damage";

const key: DamagedObject = {
  kind: "private_key",
  handle: 6,
  id: "",
  label: "",
  damage: "key_without_id",
  fingerprint: "ab",
};

describe("describeDamaged", () => {
  it("says what is known and what is wrong, in both languages", () => {
    const zh = describeDamaged(zhCN, key);
    expect(zh.kind).toBe("私钥");
    expect(zh.facts).toBe("句柄 6 · 无标识 · 无标签");
    expect(zh.damage).toContain("CKA_ID");
    const e = describeDamaged(en, { ...key, kind: "certificate", id: "01ab", label: "CertDesk A1", damage: "empty_certificate" });
    expect(e.kind).toBe("Certificate");
    expect(e.facts).toBe("handle 6 · id 01ab · label “CertDesk A1”");
    expect(e.damage).toContain("empty certificate");
  });
});
