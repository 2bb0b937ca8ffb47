/** 12800 fen → "128.00 元" / "128.00 CNY". */
export function money(fen: number, unit: string): string {
  return `${(fen / 100).toFixed(2)} ${unit}`;
}

export { when } from "../../lib/dates";
