import zhCN from "../i18n/zh-CN";
import type { Catalog } from "../i18n/index.svelte";
import type { ErrorDetails, IpcError } from "./bindings";

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

/** Fills `{name}` placeholders of a catalog string. */
export function fmt(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Every key some shape of `details` has. */
type DetailsKey = ErrorDetails extends infer D ? (D extends object ? keyof D : never) : never;

/**
 * The error's details when they are a shape with `key` (the generated union, narrowed by
 * the key the caller reads: `detailsWith(e, "retry_after")?.retry_after`).
 */
export function detailsWith<K extends DetailsKey>(e: unknown, key: K): Extract<ErrorDetails, Record<K, unknown>> | null {
  const d = asIpcError(e).details;
  return typeof d === "object" && d !== null && key in d ? (d as Extract<ErrorDetails, Record<K, unknown>>) : null;
}

/** The CA's problem code (`captcha_invalid`, `duplicate_application`, …), when it gave one. */
export function problemOf(e: unknown): string | null {
  const p = detailsWith(e, "problem")?.problem;
  return typeof p === "string" ? p : null;
}

/**
 * The translated message for an error: by code, never by message text. A CA refusal
 * with a problem code the catalog knows gets that problem's sentence (with its wait).
 */
export function errorText(t: Catalog, e: unknown): string {
  const err = asIpcError(e);
  const p = problemOf(err);
  if (p !== null && Object.hasOwn(t.problems, p)) {
    const wait = Number(detailsWith(err, "retry_after")?.retry_after ?? 0);
    const secs = Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : 60;
    return fmt(t.problems[p as keyof Catalog["problems"]], {
      n: secs,
      m: Math.max(1, Math.ceil(secs / 60)),
    });
  }
  const skew = Number(detailsWith(err, "seconds")?.seconds);
  if (err.code === "clock_skewed" && Number.isFinite(skew) && skew !== 0) {
    return fmt(t.errorDetails.clockSkewedBy, { m: Math.max(1, Math.round(Math.abs(skew) / 60)) });
  }
  return t.errors[err.code];
}

/** Per-field messages the CA or the core gave (field path → message in `lang`). */
export function fieldErrors(e: unknown, lang: "zh-CN" | "en"): Record<string, string> {
  const fields: unknown = detailsWith(e, "fields")?.fields;
  const out: Record<string, string> = {};
  if (!Array.isArray(fields)) return out;
  for (const f of fields) {
    if (typeof f !== "object" || f === null) continue;
    const { field, message_zh, message_en } = f as Record<string, unknown>;
    const msg = lang === "en" ? message_en : message_zh;
    if (typeof field === "string" && typeof msg === "string") out[field] = msg;
  }
  return out;
}
