import type { DownloadPhase, DownloadProgress, DownloadStep } from "../../lib/ipc/bindings";

/** The steps of a download in order; the envelope import only on dual channels. */
export function stepsFor(dual: boolean): DownloadStep[] {
  const all: DownloadStep[] = [
    "preflight",
    "authorise",
    "login",
    "keygen",
    "csr",
    "finalize",
    "write-certificate",
    "import-envelope",
    "self-test",
    "confirm",
  ];
  return dual ? all : all.filter((s) => s !== "import-envelope");
}

export type StepView = "done" | "running" | "pending" | "skipped";

/**
 * Each step's state from the progress events seen so far: the last event of a step
 * wins; a step before one that started is done even if its own event was missed.
 */
export function stepStates(steps: DownloadStep[], events: DownloadProgress[]): Record<string, StepView> {
  const last = new Map<DownloadStep, DownloadPhase>();
  for (const e of events) last.set(e.step, e.phase);
  return statesOf(steps, last);
}

/** As [`stepStates`], for any step names, from each step's last phase. */
export function statesOf<K>(steps: K[], last: Map<K, DownloadPhase>): Record<string, StepView> {
  const out: Record<string, StepView> = {};
  let furthest = -1;
  steps.forEach((s, i) => {
    if (last.has(s)) furthest = i;
  });
  steps.forEach((s, i) => {
    const p = last.get(s);
    const key = String(s);
    if (p === "done") out[key] = "done";
    else if (p === "skipped") out[key] = "skipped";
    else if (p === "started") out[key] = i < furthest ? "done" : "running";
    else out[key] = i < furthest ? "done" : "pending";
  });
  return out;
}

/** 11-digit mainland mobile number. */
export function validPhone(p: string): boolean {
  return /^1[3-9]\d{9}$/.test(p.trim());
}
