import type {
  DownloadPhase,
  DownloadStep,
  MakingProgressView,
  MakingStep,
  MakingTokenView,
} from "../../lib/ipc/bindings";
import type { Catalog } from "../../lib/i18n/index.svelte";
import { statesOf, stepsFor, type StepView } from "../download/steps";

/** A making step as one key: the transaction's steps by their own names. */
export type MakingKey = Exclude<MakingStep["kind"], "transaction"> | DownloadStep;

export const keyOf = (s: MakingStep): MakingKey => (s.kind === "transaction" ? s.step : s.kind);

/** A step's name: the counter's own steps, then the download's. */
export const stepText = (t: Catalog, k: MakingKey): string =>
  k in t.making.steps
    ? t.making.steps[k as keyof typeof t.making.steps]
    : t.download.steps[k as keyof typeof t.download.steps];

/** The steps shown, in order: initialisation, the download's transaction (the envelope
 *  import only once the making reports one), then the counter's own steps. */
export function makingSteps(events: MakingProgressView[]): MakingKey[] {
  const dual = events.some((e) => keyOf(e.step) === "import-envelope");
  return ["init-token", ...stepsFor(dual), "test-signature", "record-token"];
}

/** Each step's state, as for a download. */
export function makingStates(steps: MakingKey[], events: MakingProgressView[]): Record<string, StepView> {
  const last = new Map<MakingKey, DownloadPhase>();
  for (const e of events) last.set(keyOf(e.step), e.phase);
  return statesOf(steps, last);
}

/** After a failed making on a blank token: the token that blank one became (initialised
 *  before the failure, so it now has a serial that was not listed before), to be made
 *  again — resuming — rather than the next blank slot. `null` when there is no single one. */
export function initialisedSince(before: Set<string>, now: MakingTokenView[]): string | null {
  const fresh = now.filter((t) => !t.blank && !before.has(t.serial));
  return fresh.length === 1 ? (fresh[0]?.serial ?? null) : null;
}
