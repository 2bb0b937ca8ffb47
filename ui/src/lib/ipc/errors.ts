import zhCN from "../i18n/zh-CN";
import type { Catalog } from "../i18n/index.svelte";
import type { IpcError } from "./bindings";

// The catalog's `errors` table is complete by type (Record<ErrorCode, string>), so its
// keys are the closed set of codes.
function isKnownCode(code: unknown): code is IpcError["code"] {
  return typeof code === "string" && Object.hasOwn(zhCN.errors, code);
}

/** Anything a command rejects with, narrowed to an `IpcError` (unknown shapes become `internal`). */
export function asIpcError(e: unknown): IpcError {
  if (typeof e === "object" && e !== null && "code" in e && isKnownCode(e.code)) {
    return e as IpcError;
  }
  return { code: "internal", message: String(e), details: null };
}

/** The translated message for an error: by code, never by message text. */
export function errorText(t: Catalog, e: unknown): string {
  return t.errors[asIpcError(e).code];
}
