// The form of a case keyed at the counter: the online forms' DraftForm (messages,
// touched fields, the CA's per-field refusals) over values that live on the desk, not
// in a draft on disk — a counter workstation keeps no applicant's data once the case
// is made. Each value typed is checked by the core with the online forms' own rules.
import { commands } from "../../lib/ipc/bindings";
import { DraftForm } from "../../lib/ui/draftForm.svelte";
import { desk } from "./desk.svelte";

export class KeyForm extends DraftForm {
  constructor() {
    super(() => "", { inlineAfterSubmit: true });
    // The desk's own object: what is typed here survives a lock or a failed call.
    this.values = desk.keyed.values;
    this.loaded = true;
  }

  override async save(path: string, value: string) {
    this.values[path] = value;
    delete this.server[path];
    this.saving++;
    try {
      const p = await commands.counterCaseKeyCheck({ field: path, value });
      if (p) this.inline[path] = p;
      else delete this.inline[path];
    } catch (e) {
      this.error = e;
    } finally {
      this.saving--;
    }
  }
}

/** The fields keyed at the counter, in the order of the printed form. */
export const KEY_FIELDS: { path: string; max: number; numeric?: boolean; group: "company" | "legalRep" | "handler" | "invoice" }[] = [
  { path: "enterprise.uscc", max: 18, group: "company" },
  { path: "enterprise.org_code", max: 10, group: "company" },
  { path: "enterprise.name", max: 100, group: "company" },
  { path: "enterprise.legal_rep_name", max: 50, group: "legalRep" },
  { path: "enterprise.legal_rep_id_number", max: 18, group: "legalRep" },
  { path: "enterprise.legal_rep_phone", max: 11, numeric: true, group: "legalRep" },
  { path: "handler.name", max: 50, group: "handler" },
  { path: "handler.id_number", max: 18, group: "handler" },
  { path: "handler.phone", max: 11, numeric: true, group: "handler" },
  { path: "handler.email", max: 100, group: "handler" },
  { path: "invoice.email", max: 100, group: "invoice" },
];
export const HANDLES = "enterprise.legal_rep_handles";
export const PLACE = ["certificate.province", "certificate.city"];

/** The fields the CA needs for this applicant (no handler when the legal rep handles). */
export function requiredPaths(values: Record<string, string>): string[] {
  const handles = values[HANDLES] === "true";
  return [...KEY_FIELDS.filter((f) => !(handles && f.group === "handler")).map((f) => f.path), ...PLACE];
}

/** What is sent: the required fields as typed (the invoice title and tax number default
 *  from the organisation in the core, as the online 信息确认 does). */
export function sentValues(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { [HANDLES]: values[HANDLES] === "true" ? "true" : "false" };
  for (const p of requiredPaths(values)) out[p] = values[p] ?? "";
  return out;
}
