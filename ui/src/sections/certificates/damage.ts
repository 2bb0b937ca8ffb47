import type { Catalog } from "../../lib/i18n/index.svelte";
import type { DamagedObject } from "../../lib/ipc/bindings";
import { fmt } from "../../lib/ipc/errors";

/** A damaged token object in words: its class, what is known of it, what is wrong. */
export interface DamagedText {
  kind: string;
  facts: string;
  damage: string;
}

export function describeDamaged(t: Catalog, o: DamagedObject): DamagedText {
  const r = t.repair;
  return {
    kind: r.kind[o.kind],
    facts: [
      fmt(r.handle, { handle: o.handle }),
      o.id ? fmt(r.id, { id: o.id }) : r.noId,
      o.label ? fmt(r.label, { label: o.label }) : r.noLabel,
    ].join(" · "),
    damage: r.damage[o.damage],
  };
}
