import { listen } from "@tauri-apps/api/event";
import { commands, EVENTS, type CaConnection, type StatusChanged, type StatusSnapshot } from "./ipc/bindings";

let snapshot = $state<StatusSnapshot | null>(null);

/** Live CA-connection and token-presence facts for the status bar. */
export const status = {
  get current(): StatusSnapshot | null {
    return snapshot;
  },
};

/** Loads the current snapshot, then follows `status-changed` events. */
export async function watchStatus(): Promise<() => void> {
  const unlisten = await listen<StatusChanged>(EVENTS.statusChanged, (e) => {
    snapshot = e.payload.status;
  });
  snapshot = await commands.statusSnapshot();
  return unlisten;
}

export async function recheckCa(): Promise<CaConnection> {
  const ca = await commands.checkCa();
  if (snapshot) snapshot = { ...snapshot, ca };
  return ca;
}
