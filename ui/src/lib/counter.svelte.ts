import { listen } from "@tauri-apps/api/event";
import { commands, EVENTS, type CounterSettings, type CounterView } from "./ipc/bindings";

let view = $state<CounterView>({ state: "signed_out" });
let settings = $state<CounterSettings>({ enabled: false, idle_minutes: 10 });

/** Counter mode (受理台): the setting, and the operator's state as the core reports it. */
export const counter = {
  get view(): CounterView {
    return view;
  },
  set view(v: CounterView) {
    view = v;
  },
  get settings(): CounterSettings {
    return settings;
  },
  set settings(s: CounterSettings) {
    settings = s;
  },
  get enabled(): boolean {
    return settings.enabled;
  },
};

/** Activity is reported at most this often: the idle lock may come this much early, and
 *  typing does not cost an IPC call per key. */
const ACTIVITY_EVERY_MS = 10_000;

/** Follows `counter-changed`, and reports the operator's keys and clicks for the idle lock. */
export async function watchCounter(): Promise<() => void> {
  const unlisten = await listen<CounterView>(EVENTS.counterChanged, (e) => {
    view = e.payload;
  });
  view = await commands.counterState();
  let last = 0;
  const onActivity = () => {
    if (view.state !== "signed_in") return;
    const now = Date.now();
    if (now - last < ACTIVITY_EVERY_MS) return;
    last = now;
    void commands.counterActivity().catch(() => {});
  };
  window.addEventListener("keydown", onActivity, true);
  window.addEventListener("pointerdown", onActivity, true);
  return () => {
    unlisten();
    window.removeEventListener("keydown", onActivity, true);
    window.removeEventListener("pointerdown", onActivity, true);
  };
}
