// The batch view's logic: picking a batch from a list (a company's order numbers,
// pasted or read from a text or CSV file, each entry matched to an approved case by
// order number or case number), and why an item failed.

import type { BatchItemView, CaseSummaryView } from "../../lib/ipc/bindings";
import type { Catalog } from "../../lib/i18n/index.svelte";
import { errorText, fmt } from "../../lib/ipc/errors";

/** The longest list read (a carton of keys is 100-200 lines). */
export const MAX_LIST_CHARS = 64 * 1024;

export type Picked = { ids: string[]; unmatched: string[] };

/** The approved cases the list names (in list order, each once) and the entries that
 *  name none. Entries are split at line breaks, commas, semicolons, tabs and spaces;
 *  a spreadsheet's quotes and a header word are simply entries that match nothing. */
export function pickFromList(text: string, approved: readonly CaseSummaryView[]): Picked {
  const entries = text
    .slice(0, MAX_LIST_CHARS)
    .split(/[\s,;，；"'、]+/u)
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const ids: string[] = [];
  const unmatched: string[] = [];
  for (const entry of new Set(entries)) {
    const c = approved.find((a) => a.id === entry || (a.order_number != null && a.order_number === entry));
    if (!c) unmatched.push(entry);
    else if (!ids.includes(c.id)) ids.push(c.id);
  }
  return { ids, unmatched };
}

/** Why an item failed, in the operator's language. A failure is kept as its code only,
 *  so the codes whose sentence names the token get the item's serial here; a token no
 *  longer inserted is said as such (the download's wording is about another USBKey). */
export function failureText(t: Catalog, item: Pick<BatchItemView, "failure" | "token_serial">): string {
  const code = item.failure ?? "internal";
  if ((code === "wrong_token" || code === "token_absent") && item.token_serial) {
    return fmt(t.batch.tokenOut, { serial: item.token_serial });
  }
  return errorText(t, { code, message: "", details: null });
}
