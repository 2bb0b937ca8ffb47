import { listen } from "@tauri-apps/api/event";
import { commands, EVENTS, type LinkOpened } from "./ipc/bindings";
import { session } from "./session.svelte";

/** A `certdesk://` link waiting for a sign-in, and the last link that failed. */
let waiting = $state<string | null>(null);
let problem = $state<unknown>(null);

export const links = {
  get waiting(): string | null {
    return waiting;
  },
  get problem(): unknown {
    return problem;
  },
  dismiss(): void {
    problem = null;
  },
};

/** Opens the order a link names (the core checks the link); without a session the
 *  link waits for the sign-in on the orders page. */
async function follow(url: string): Promise<void> {
  problem = null;
  if (!session.signedIn) {
    waiting = url;
    location.hash = "#/orders";
    return;
  }
  try {
    const v = await commands.openLink(url);
    waiting = null;
    location.hash = `#/orders/${encodeURIComponent(v.application.id)}`;
  } catch (e) {
    if (session.expiredBy(e)) {
      waiting = url;
      return;
    }
    waiting = null;
    problem = e;
  }
}

/** After signing in: the link that was waiting for it. */
export function resumeLink(): void {
  if (waiting && session.signedIn) void follow(waiting);
}

/** Follows links the OS hands to the app: the one it started with, then each later one. */
export async function watchLinks(): Promise<() => void> {
  const unlisten = await listen<LinkOpened>(EVENTS.linkOpened, (e) => void follow(e.payload.url));
  const first = await commands.pendingLink();
  if (first) void follow(first);
  return unlisten;
}
