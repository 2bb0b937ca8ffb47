import { describe, expect, it } from "vitest";
import type { NumbersSummary, StageFigure } from "../../lib/ipc/bindings";
import { byHour, byModel, byOperator, duration, lastDays, timed } from "./numbers";

const units = { h: "h", min: "min", s: "s" };
const fig = (stage: StageFigure["stage"], median: number): StageFigure => ({
  stage,
  cases: 1,
  median_seconds: median,
  mean_seconds: median,
});

const summary: NumbersSummary = {
  from: "2026-12-01",
  to: "2026-12-07",
  cases: 3,
  finished: 2,
  per_hour: 1,
  median_total_seconds: 600,
  stages: [],
  operators: [
    { operator_id: "OP1", name: "王芳", cases: 2, stages: [fig("verifying", 120), fig("making", 90)] },
    { operator_id: "OP2", name: "", cases: 1, stages: [fig("waiting", 330)] },
  ],
  models: [
    { model: "", making: fig("making", 60) },
    { model: "ePass3003", making: fig("making", 90) },
  ],
  hours: [
    { hour: 7, opened: 1, finished: 0 },
    { hour: 9, opened: 2, finished: 2 },
  ],
};

describe("numbers", () => {
  it("says a duration in its two largest units", () => {
    expect(duration(45, units)).toBe("45 s");
    expect(duration(150, units)).toBe("2 min 30 s");
    expect(duration(120, units)).toBe("2 min");
    expect(duration(3900, units)).toBe("1 h 5 min");
    expect(duration(-3, units)).toBe("0 s");
  });

  it("gives the last seven China days, today included", () => {
    // 2026-12-07 20:00 UTC is already the 8th in China.
    expect(lastDays(7, new Date("2026-12-07T20:00:00Z"))).toEqual({ from: "2026-12-02", to: "2026-12-08" });
  });

  it("stacks each operator's median time by stage, zero where they served none", () => {
    const d = timed(byOperator(summary, (s) => s, "?"));
    expect(d.unit).toBe("min");
    expect(d.labels).toEqual(["王芳 (OP1)", "OP2"]);
    expect(d.series.map((s) => s.label)).toEqual(["verifying", "paying", "waiting", "making", "handing_over"]);
    expect(d.series[0]?.values).toEqual([2, 0]);
    expect(d.series[2]?.values).toEqual([0, 5.5]);
    expect(d.series[3]?.values).toEqual([1.5, 0]);
  });

  it("names an unknown model, charts short times in seconds, and spans the working day by hour", () => {
    const m = timed(byModel(summary, "making", "unknown"));
    expect(m.labels).toEqual(["unknown", "ePass3003"]);
    expect(m.unit).toBe("s");
    expect(m.series[0]?.values).toEqual([60, 90]);
    const h = byHour(summary, "opened", "finished");
    expect(h.labels[0]).toBe("07:00");
    expect(h.labels.at(-1)).toBe("18:00");
    expect(h.series[0]?.values.slice(0, 3)).toEqual([1, 0, 2]);
    expect(h.series[1]?.values[2]).toBe(2);
  });
});
