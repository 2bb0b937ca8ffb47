import type { Catalog } from "../../lib/i18n/index.svelte";
import { asIpcError, errorText, fmt } from "../../lib/ipc/errors";

type Details = { pin_status?: string; needs_confirmation?: boolean; pin_rule?: string; min?: number; max?: number };

function details(e: unknown): Details {
  const d = asIpcError(e).details;
  return typeof d === "object" && d !== null ? (d as Details) : {};
}

/** The final PIN try needs the user's explicit confirmation before it is spent. */
export function needsConfirmation(e: unknown): boolean {
  return details(e).needs_confirmation === true;
}

/**
 * The message for a failed PIN operation: a wrong PIN with how many tries are left (the
 * token reports "few" and "last", not a number), the rule a new PIN broke, or the locked
 * PIN; anything else by its code.
 */
export function pinErrorText(t: Catalog, e: unknown): string {
  const err = asIpcError(e);
  const d = details(err);
  if (err.code === "pin_incorrect") {
    if (d.needs_confirmation) return t.certs.finalTryNeeded;
    if (d.pin_status === "final_try") return t.certs.wrongPinFinal;
    if (d.pin_status === "count_low") return t.certs.wrongPinLow;
    return t.certs.wrongPin;
  }
  if (err.code === "pin_locked") return t.certs.locked;
  if (err.code === "invalid_input" && d.pin_rule && Object.hasOwn(t.certs.pinRule, d.pin_rule)) {
    return fmt(t.certs.pinRule[d.pin_rule as keyof Catalog["certs"]["pinRule"]], { min: d.min ?? 6, max: d.max ?? 16 });
  }
  return errorText(t, err);
}
