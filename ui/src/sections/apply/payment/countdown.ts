/** Whole seconds from `now` until `rfc3339` (0 once past, or when unparseable). */
export function secondsLeft(rfc3339: string, now: number): number {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** 754 → "12:34". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
