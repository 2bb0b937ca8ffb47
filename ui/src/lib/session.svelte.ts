import { commands, type ResumePoint, type SessionInfo, type StartState } from "./ipc/bindings";
import { asIpcError } from "./ipc/errors";

let info = $state<SessionInfo | null>(null);
/** The draft started in this run, so leaving 申请证书 and coming back reopens its form. */
export const kept = $state<{ started: StartState | null }>({ started: null });
let loadError = $state<unknown>(null);
/** The page (hash) to return to after signing in again. */
let returnTo = $state<string | null>(null);

/** Where an expired session's resume point leads: the order's page, which opens its step. */
export function resumeHash(r: ResumePoint | null | undefined): string | null {
  if (r?.application_id) return `#/orders/${encodeURIComponent(r.application_id)}`;
  return null;
}

/** The sign-in state shared by the pages; the token itself never reaches the UI. */
export const session = {
  get info(): SessionInfo | null {
    return info;
  },
  get loadError(): unknown {
    return loadError;
  },
  get signedIn(): boolean {
    return info?.session.state === "signed_in";
  },
  get expired(): boolean {
    return info?.session.state === "expired";
  },
  get returnTo(): string | null {
    return returnTo;
  },
  async refresh(): Promise<void> {
    try {
      info = await commands.sessionState();
      loadError = null;
      if (info.session.state === "expired" && returnTo === null) {
        returnTo = resumeHash(info.session.resume) ?? location.hash;
      }
    } catch (e) {
      loadError = e;
    }
  },
  set(next: SessionInfo): void {
    info = next;
    loadError = null;
  },
  /**
   * Call with any command error: an expired session sends the user to sign-in and
   * remembers this page to come back to. Returns whether it was that.
   */
  expiredBy(e: unknown): boolean {
    if (asIpcError(e).code !== "session_expired") return false;
    returnTo = location.hash;
    info = { session: { state: "expired", resume: null }, masked_phone: null };
    return true;
  },
  /**
   * After signing in: where to go back to (and forget it) — the page the session
   * expired on in this run, else the core's resume point (kept across restarts).
   */
  takeReturn(resume: ResumePoint | null): string | null {
    const to = returnTo ?? resumeHash(resume);
    returnTo = null;
    return to;
  },
  async signOut(): Promise<void> {
    info = await commands.signOut();
    returnTo = null;
    kept.started = null;
  },
};
