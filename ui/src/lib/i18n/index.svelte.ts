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
};
