import type { PinStatus } from "./bindings";
import { asIpcError, detailsWith } from "./errors";

/**
 * The one reading of a PIN failure (every command maps token errors the same way in
 * Rust): the retry state a wrong PIN left the token in, or null when it was not a wrong PIN.
 */
export function pinStatusOf(e: unknown): PinStatus | null {
  const err = asIpcError(e);
  if (err.code !== "pin_incorrect") return null;
  return detailsWith(err, "pin_status")?.pin_status ?? "ok";
}

/** The token is on its final PIN try and the user has not yet confirmed spending it. */
export function needsFinalConfirmation(e: unknown): boolean {
  return asIpcError(e).code === "pin_final_try";
}
