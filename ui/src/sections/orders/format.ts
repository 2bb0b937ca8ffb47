/** 12800 fen → "128.00 元" / "128.00 CNY". */
export function money(fen: number, unit: string): string {
  return `${(fen / 100).toFixed(2)} ${unit}`;
}

/** An RFC 3339 time as local date and minute, in the UI language. */
export function when(rfc3339: string, lang: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}
