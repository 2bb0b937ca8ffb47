import { describe, expect, it } from "vitest";
import en from "../../lib/i18n/en";
import zhCN from "../../lib/i18n/zh-CN";
import type { EnvironmentReport } from "../../lib/ipc/bindings";
import { damagedTokens, rows } from "./verdicts";

const healthy: EnvironmentReport = {
  app_version: "0.1.0",
  os: "linux",
  arch: "x86_64",
  modules: [
    {
      state: "loaded",
      path: "/usr/lib/softhsm/libsofthsm2.so",
      vendor: "SoftHSM",
      library: "SoftHSM Implementation of PKCS11",
      version: "2.6",
      tokens: [
        { label: "企业证书Key", serial: "a1b2", manufacturer: "SoftHSM", model: "SoftHSM v2", initialized: true, pin: "ok", damaged: [] },
      ],
    },
  ],
  smart_card: { state: "running", readers: [{ name: "Virtual PCD 00 00", card_present: true }] },
  ca: { state: "online", url: "https://ca.example.cn", latency_ms: 23, tls: true },
  clock: { state: "in_sync", skew_seconds: -1 },
};

const byId = (r: EnvironmentReport) => Object.fromEntries(rows(zhCN, r).map((x) => [x.id, x]));

describe("environment verdicts", () => {
  it("a healthy machine is all ok with no fixes", () => {
    for (const row of rows(zhCN, healthy)) {
      expect(row.verdict, row.id).toBe("ok");
      expect(row.fix, row.id).toBeNull();
    }
  });

  it("each failure gets its own fix", () => {
    const r = byId({
      ...healthy,
      os: "windows",
      modules: [],
      smart_card: { state: "not_running", detail: "the smart-card service (pcscd) is not running" },
      ca: { state: "tls_failed", url: "https://ca.example.cn", detail: "invalid peer certificate: UnknownIssuer" },
      clock: { state: "skewed", skew_seconds: -900 },
    });
    expect(r.modules?.verdict).toBe("fail");
    expect(r.modules?.fix).toBe(zhCN.environment.modulesNoneFix);
    expect(r["smart-card"]?.fix).toBe(zhCN.environment.smartCardFix.windows);
    expect(r.tokens?.verdict).toBe("warn");
    expect(r.ca?.fix).toBe(zhCN.environment.caTlsFix);
    expect(r.clock?.verdict).toBe("fail");
    expect(r.clock?.summary).toContain("15");
  });

  it("a stopped smart-card service is only a notice while a USBKey works through its module", () => {
    const r = byId({ ...healthy, smart_card: { state: "not_running", detail: "pcscd is not running" } });
    expect(r["smart-card"]?.verdict).toBe("info");
    expect(r["smart-card"]?.fix).toBeNull();
    expect(r["smart-card"]?.summary).toBe(zhCN.environment.smartCardNotNeeded);
  });

  it("no fix sends anyone to a terminal", () => {
    for (const cat of [zhCN, en]) {
      for (const fix of Object.values(cat.environment.smartCardFix)) {
        expect(fix).not.toMatch(/sudo|systemctl|terminal|终端|services\.msc/);
      }
    }
  });

  it("damaged objects on a token warn, say how many, and offer the repair; the token stays usable", () => {
    const r = structuredClone(healthy);
    const m = r.modules[0];
    if (m?.state !== "loaded" || !m.tokens[0]) throw new Error("fixture");
    m.tokens[0].damaged = [
      { kind: "certificate", handle: 7, id: "", label: "", damage: "empty_certificate", fingerprint: "f1" },
    ];
    const row = byId(r).tokens;
    expect(row?.verdict).toBe("warn");
    expect(row?.fix).toBe(zhCN.environment.tokenDamagedFix);
    expect(row?.details[0]).toContain("1 个损坏的对象");
    expect(damagedTokens(r)).toEqual([{ module: m.path, token: m.tokens[0] }]);
    expect(damagedTokens(healthy)).toEqual([]);
  });

  it("a token on its final PIN try or locked is flagged with the right fix", () => {
    const locked = structuredClone(healthy);
    const m = locked.modules[0];
    if (m?.state !== "loaded" || !m.tokens[0]) throw new Error("fixture");
    m.tokens[0].pin = "final_try";
    expect(byId(locked).tokens?.verdict).toBe("warn");
    expect(byId(locked).tokens?.fix).toBe(zhCN.environment.pinFinalTryFix);
    m.tokens[0].pin = "locked";
    expect(byId(locked).tokens?.verdict).toBe("fail");
    expect(byId(locked).tokens?.fix).toBe(zhCN.environment.pinLockedFix);
  });

  it("plain HTTP to the CA is a warning, and English has no Chinese", () => {
    const r = rows(en, { ...healthy, ca: { state: "online", url: "http://127.0.0.1:8443", latency_ms: 3, tls: false } });
    const ca = r.find((x) => x.id === "ca");
    expect(ca?.verdict).toBe("warn");
    // Token labels are the token's own data (here Chinese); everything else is catalog text.
    for (const row of r.filter((x) => x.id !== "tokens"))
      expect(`${row.title}${row.summary}${row.details.join("")}`).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
