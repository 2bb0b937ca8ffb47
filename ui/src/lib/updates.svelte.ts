import { listen } from "@tauri-apps/api/event";
import { EVENTS, type UpdateCheck } from "./ipc/bindings";

let found = $state<Extract<UpdateCheck, { state: "available" }> | null>(null);

/** A newer version the check at start (or in Settings) found, for the status bar. */
export const updates = {
  get available() {
    return found;
  },
  set available(next: Extract<UpdateCheck, { state: "available" }> | null) {
    found = next;
  },
};

/** Follows the `update-available` event of the check at start. */
export async function watchUpdates(): Promise<() => void> {
  return listen<UpdateCheck>(EVENTS.updateAvailable, (e) => {
    if (e.payload.state === "available") found = e.payload;
  });
}
