// One date format per language, everywhere in the app (the locale APIs differ between
// WebKit builds and gave 2026/12/05, 2026-12-05 and 05/12/2026 side by side).
// zh-CN: 2026-12-05 and 2026-12-05 14:30; en: 5 Dec 2026 and 5 Dec 2026, 14:30.

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

function parse(value: string): Date | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function dateOf(d: Date, lang: string): string {
  return lang === "en"
    ? `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`
    : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** A date (RFC 3339 or a certificate's time) as a local day; unreadable input as given. */
export function day(value: string, lang: string): string {
  const d = parse(value);
  return d ? dateOf(d, lang) : value;
}

const timeOf = (d: Date) => `${two(d.getHours())}:${two(d.getMinutes())}`;

/** A time as the local hour and minute (the same in both languages); unreadable input as given. */
export function timeOfDay(value: string): string {
  const d = parse(value);
  return d ? timeOf(d) : value;
}

/** A time as the local day and minute; unreadable input as given. */
export function when(value: string, lang: string): string {
  const d = parse(value);
  if (!d) return value;
  const time = timeOf(d);
  return lang === "en" ? `${dateOf(d, lang)}, ${time}` : `${dateOf(d, lang)} ${time}`;
}
