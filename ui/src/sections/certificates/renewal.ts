import type { Catalog } from "../../lib/i18n/index.svelte";
import { asIpcError, detailsWith } from "../../lib/ipc/errors";
import { pinErrorText } from "./pin";

/**
 * The message for a failed renewal: a new key lost after the CA issued for it is said as
 * a renewal's (the old certificate still works), not as a download's; anything else as
 * a PIN operation's.
 */
export function renewErrorText(t: Catalog, e: unknown): string {
  const err = asIpcError(e);
  if (err.code === "key_lost" && detailsWith(err, "business")?.business === "renewal") {
    return t.renewResume.keyLost;
  }
  return pinErrorText(t, err);
}
