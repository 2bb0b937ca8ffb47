import type { Catalog } from "../../lib/i18n/index.svelte";
import type { OperatorView } from "../../lib/ipc/bindings";

/** The operator's roles in words (受理员、制证员), in the catalog's order of duties. */
export function rolesText(t: Catalog, op: OperatorView): string {
  return op.roles.map((r) => t.counter.roles[r]).join(t.listSeparator);
}
