import type { Language } from "../ipc/bindings";
import en from "./en";
import zhCN, { type Catalog } from "./zh-CN";

export type { Catalog };

export const catalogs: Record<Language, Catalog> = { "zh-CN": zhCN, en };
export const languages: Language[] = ["zh-CN", "en"];

let current = $state<Language>("zh-CN");

/** The active language and its catalog; reading `i18n.t` inside markup is reactive. */
export const i18n = {
  get lang(): Language {
    return current;
  },
  set lang(next: Language) {
    current = next;
    document.documentElement.lang = next;
  },
  get t(): Catalog {
    return catalogs[current];
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
