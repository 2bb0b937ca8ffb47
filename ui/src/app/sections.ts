import type { Catalog } from "../lib/i18n/index.svelte";

export const SECTIONS = [
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
