import { fmt } from "../../lib/ipc/errors";

export { commonName } from "../../lib/dn";
export { day } from "../../lib/dates";

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
