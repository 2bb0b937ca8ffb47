import { fmt } from "../../lib/ipc/errors";

/** The CN of a distinguished name ("CN=x,O=y" → "x"), else the whole name. */
export function commonName(dn: string): string {
  for (const part of dn.split(",")) {
    const p = part.trim();
    if (p.startsWith("CN=")) return p.slice(3);
  }
  return dn;
}

/** A date (RFC 3339 or the certificate's time) as a local date in the UI language. */
export function day(value: string, lang: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleDateString(lang === "en" ? "en-GB" : "zh-CN", { year: "numeric", month: "2-digit", day: "2-digit" });
}

export type Tone = "ok" | "soon" | "urgent" | "expired";

/** How urgent an expiry is: the colours of the countdown badge follow the reminders (90/30/7). */
export function tone(daysLeft: number): Tone {
  if (daysLeft < 0) return "expired";
  if (daysLeft < 30) return "urgent";
  if (daysLeft < 90) return "soon";
  return "ok";
}

/** The countdown text. */
export function countdown(
  daysLeft: number,
  t: { daysLeft: string; expiresToday: string; expired: string },
): string {
  if (daysLeft < 0) return fmt(t.expired, { n: -daysLeft });
  if (daysLeft === 0) return t.expiresToday;
  return fmt(t.daysLeft, { n: daysLeft });
}
