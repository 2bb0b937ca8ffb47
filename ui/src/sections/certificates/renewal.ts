import type { Catalog } from "../../lib/i18n/index.svelte";
import { asIpcError } from "../../lib/ipc/errors";
import { pinErrorText } from "./pin";

/**
 * The message for a failed renewal: a new key lost after the CA issued for it is said as
 * a renewal's (the old certificate still works), not as a download's; anything else as
 * a PIN operation's.
 */
export function renewErrorText(t: Catalog, e: unknown): string {
  const err = asIpcError(e);
  const d = err.details;
  if (err.code === "key_lost" && typeof d === "object" && d !== null && (d as { business?: unknown }).business === "renewal") {
    return t.renewResume.keyLost;
  }
  return pinErrorText(t, err);
}
