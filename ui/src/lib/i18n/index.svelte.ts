import type { Language } from "../ipc/bindings";
import zhCN, { type Catalog } from "./zh-CN";

export type { Catalog };

export const languages: Language[] = ["zh-CN", "en"];

// Chinese is in the first script; English is a chunk of its own, loaded when it is
// chosen (before the first render when the settings say so), so the first screen
// parses one catalog, not both.
const loaders: Record<Language, () => Promise<Catalog>> = {
  "zh-CN": async () => zhCN,
  en: async () => (await import("./en")).default,
};
const loaded: Partial<Record<Language, Catalog>> = { "zh-CN": zhCN };

let current = $state<Language>("zh-CN");
/** The latest choice: an earlier one whose catalog arrives after it must not win. */
let wanted: Language = "zh-CN";

/** The active language and its catalog; reading `i18n.t` inside markup is reactive. */
export const i18n = {
  get lang(): Language {
    return current;
  },
  /** Switches to `next` once its catalog is loaded; rejects, the language unchanged,
   *  when it cannot be loaded. */
  async use(next: Language): Promise<void> {
    wanted = next;
    const catalog = loaded[next] ?? (await loaders[next]());
    loaded[next] = catalog;
    if (wanted !== next) return;
    current = next;
    document.documentElement.lang = next;
  },
  get t(): Catalog {
    return loaded[current] ?? zhCN;
  },
  /** The CA's own data in the active language: its English where it sent one. */
  ca(zh: string, en: string | undefined): string {
    return current === "en" && en ? en : zh;
  },
  /** A list the CA sent in both languages (same order); Chinese where English is missing. */
  caList(zh: string[], en: string[] | undefined): string[] {
    return current === "en" && en && en.length === zh.length ? en : zh;
  },
};
