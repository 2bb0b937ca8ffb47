import type { Catalog } from "../../lib/i18n/index.svelte";
import { asIpcError, detailsWith, errorText, fmt } from "../../lib/ipc/errors";
import { needsFinalConfirmation, pinStatusOf } from "../../lib/ipc/pin";

/** The final PIN try needs the user's explicit confirmation before it is spent. */
export const needsConfirmation = needsFinalConfirmation;

/**
 * The message for a failed PIN operation: a wrong PIN with how many tries are left (the
 * token reports "few" and "last", not a number), the rule a new PIN broke, or the locked
 * PIN; anything else by its code.
 */
export function pinErrorText(t: Catalog, e: unknown): string {
  const err = asIpcError(e);
  if (needsFinalConfirmation(err)) return t.certs.finalTryNeeded;
  const status = pinStatusOf(err);
  if (status === "final_try") return t.certs.wrongPinFinal;
  if (status === "count_low") return t.certs.wrongPinLow;
  if (status !== null) return t.certs.wrongPin;
  if (err.code === "pin_locked") return t.certs.locked;
  const d = detailsWith(err, "pin_rule");
  if (err.code === "invalid_input" && d && Object.hasOwn(t.certs.pinRule, d.pin_rule)) {
    return fmt(t.certs.pinRule[d.pin_rule as keyof Catalog["certs"]["pinRule"]], { min: d.min ?? 6, max: d.max ?? 16 });
  }
  return errorText(t, err);
}
