import { describe, expect, it, vi } from "vitest";
import en from "./en";
import zhCN from "./zh-CN";

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

describe("catalogs", () => {
  const zh = leaves(zhCN as unknown as Tree);
  const english = leaves(en as unknown as Tree);

  it("have exactly the same keys", () => {
    expect([...english.keys()].sort()).toEqual([...zh.keys()].sort());
  });

  it("have no empty strings", () => {
    for (const [k, v] of [...zh, ...english]) expect(v.trim(), k).not.toBe("");
  });

  it("Chinese is really Chinese and English really English", () => {
    const han = /\p{Script=Han}/u;
    // Language names are shown in their own language in both catalogs; product words
    // such as "USBKey" are the same in both; the list separator is punctuation only.
    const shared = (k: string) =>
      k.startsWith("languages.") || k === "status.token" || k === "app.subName" || k === "listSeparator";
    for (const [k, v] of zh) if (!shared(k)) expect(han.test(v), k).toBe(true);
    for (const [k, v] of english) if (!shared(k)) expect(han.test(v), k).toBe(false);
  });
});

describe("i18n.use", () => {
  it("loads English on demand and sets the page's language", async () => {
    const { i18n } = await import("./index.svelte");
    await i18n.use("en");
    expect(i18n.lang).toBe("en");
    expect(i18n.t.nav.settings).toBe(en.nav.settings);
    expect(document.documentElement.lang).toBe("en");
    await i18n.use("zh-CN");
    expect(i18n.t.nav.settings).toBe(zhCN.nav.settings);
  });

  it("keeps the latest choice when an earlier catalog arrives after it", async () => {
    vi.resetModules();
    const { i18n } = await import("./index.svelte");
    const english = i18n.use("en"); // its catalog is still loading…
    await i18n.use("zh-CN"); // …when Chinese, already loaded, is chosen
    await english;
    expect(i18n.lang).toBe("zh-CN");
    expect(document.documentElement.lang).toBe("zh-CN");
  });
});
