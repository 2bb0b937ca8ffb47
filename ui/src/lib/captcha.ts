import type { Captcha } from "./ipc/bindings";

/** A captcha is replaced this long before the CA would refuse it as expired. */
const MARGIN_MS = 5000;

/** Milliseconds until a shown captcha should be replaced (0 when it already should). */
export function msUntilStale(c: Captcha, now = Date.now()): number {
  const at = new Date(c.expires_at).getTime();
  return Number.isNaN(at) ? 0 : Math.max(0, at - now - MARGIN_MS);
}
