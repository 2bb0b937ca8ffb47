// The supervisor's numbers for the view: durations in words, the default range, and the
// series each chart draws (pure, so vitest checks them without a canvas).

import type { NumbersSummary, Stage } from "../../lib/ipc/bindings";
import { chinaDay } from "./close";

export const STAGES: readonly Stage[] = ["verifying", "paying", "waiting", "making", "handing_over"];

/** The last `days` days up to today (China time), both included. */
export function lastDays(days: number, now: Date): { from: string; to: string } {
  const start = new Date(now.getTime() - (days - 1) * 86_400_000);
  return { from: chinaDay(start), to: chinaDay(now) };
}

type Units = { h: string; min: string; s: string };

/** `1 h 5 min`, `2 min 30 s`, `45 s` (the largest two units that are not zero). */
export function duration(seconds: number, u: Units): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return m > 0 ? `${h} ${u.h} ${m} ${u.min}` : `${h} ${u.h}`;
  if (m > 0) return r > 0 ? `${m} ${u.min} ${r} ${u.s}` : `${m} ${u.min}`;
  return `${r} ${u.s}`;
}

export type Series = { label: string; values: number[] };
export type ChartData = { labels: string[]; series: Series[] };

/** Durations charted in minutes (one decimal) once the longest bar reaches two minutes,
 *  else in seconds: a token made in 40 s is no bar at all in minutes. */
export function timed(secs: ChartData): ChartData & { unit: "s" | "min" } {
  const longest = Math.max(0, ...secs.series.flatMap((s) => s.values));
  if (longest < 120) return { ...secs, unit: "s" };
  return {
    labels: secs.labels,
    series: secs.series.map((s) => ({ label: s.label, values: s.values.map((v) => Math.round(v / 6) / 10) })),
    unit: "min",
  };
}

/** Median seconds per stage for each operator (one series per stage, stacked). */
export function byOperator(n: NumbersSummary, stageName: (s: Stage) => string, unknown: string): ChartData {
  return {
    labels: n.operators.map((o) => (o.name ? `${o.name} (${o.operator_id})` : o.operator_id || unknown)),
    series: STAGES.map((stage) => ({
      label: stageName(stage),
      values: n.operators.map((o) => o.stages.find((f) => f.stage === stage)?.median_seconds ?? 0),
    })),
  };
}

/** Median making seconds per token model. */
export function byModel(n: NumbersSummary, label: string, unknown: string): ChartData {
  return {
    labels: n.models.map((m) => m.model || unknown),
    series: [{ label, values: n.models.map((m) => m.making.median_seconds) }],
  };
}

/** Cases opened and finished in each hour of the day, 08:00 to 18:00 at least. */
export function byHour(n: NumbersSummary, opened: string, finished: string): ChartData {
  const hours = n.hours.map((h) => h.hour);
  const first = Math.min(8, ...hours);
  const last = Math.max(18, ...hours);
  const span = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const at = (h: number) => n.hours.find((x) => x.hour === h);
  return {
    labels: span.map((h) => `${String(h).padStart(2, "0")}:00`),
    series: [
      { label: opened, values: span.map((h) => at(h)?.opened ?? 0) },
      { label: finished, values: span.map((h) => at(h)?.finished ?? 0) },
    ],
  };
}
