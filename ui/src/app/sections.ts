import type { Catalog } from "../lib/i18n/index.svelte";

export const SECTIONS = [
  // 受理台: listed only while counter mode is on (Nav filters it).
  "counter",
  "apply",
  "orders",
  "download",
  "certificates",
  "invoices",
  "environment",
  "settings",
] as const satisfies readonly (keyof Catalog["nav"])[];

export type SectionId = (typeof SECTIONS)[number];

/** `#/orders` → "orders"; anything unknown falls back to the first section. */
export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return (SECTIONS as readonly string[]).includes(id ?? "") ? (id as SectionId) : "apply";
}

/** The sections the navigation lists: 受理台 only in counter mode. */
export function visibleSections(counterMode: boolean): readonly SectionId[] {
  return counterMode ? SECTIONS : SECTIONS.filter((s) => s !== "counter");
}
