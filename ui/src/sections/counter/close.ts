// The daily close's small rules for the view: the counter's day (China time, as the CA
// counts it) and money as the CA states it in fen.

import type { CloseDifference } from "../../lib/ipc/bindings";

const CHINA_MS = 8 * 3600 * 1000;
const two = (n: number) => String(n).padStart(2, "0");

/** The China calendar day (UTC+8, no daylight saving) of `at`, as YYYY-MM-DD. */
export function chinaDay(at: Date): string {
  const d = new Date(at.getTime() + CHINA_MS);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** `¥400.00` from 40000 fen. */
export function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100)}.${two(fen % 100)}`;
}

type FactLabels = { operator: string; case: string; order: string; token: string; amount: string; note: string };

/** A difference's facts as `label value` pairs, those it has, in a fixed order. */
export function facts(d: CloseDifference, t: FactLabels): string[] {
  const pairs: [string, string | null | undefined][] = [
    [t.operator, d.operator_id],
    [t.case, d.case_id],
    [t.order, d.application_id],
    [t.token, d.token_serial],
    [t.amount, d.amount_fen == null ? null : yuan(d.amount_fen)],
    [t.note, d.note],
  ];
  return pairs.filter(([, v]) => v != null && v !== "").map(([l, v]) => `${l} ${v}`);
}
