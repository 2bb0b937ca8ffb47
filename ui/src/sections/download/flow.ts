import type {
  Captcha,
  DownloadCandidate,
  DownloadProgress,
  DownloadResult,
  InterruptedDownload,
  PinStatus,
} from "../../lib/ipc/bindings";
import { asIpcError, problemOf } from "../../lib/ipc/errors";
import { needsFinalConfirmation, pinStatusOf } from "../../lib/ipc/pin";

/** What is downloaded: an order the look-up found (or opened from 订单管理, `fromOrder`:
 *  no look-up to go back to), or an interrupted download resumed (its token and card
 *  are fixed by the journal). */
export type Target =
  | { kind: "order"; candidate: DownloadCandidate; found: DownloadCandidate[]; fromOrder?: boolean }
  | { kind: "resume"; resume: InterruptedDownload };

/** Where the download page is. Typed input (card, PIN) lives outside, so going back,
 *  a wrong PIN, a pulled USBKey or an unreachable CA never clears it. */
export type Flow =
  | { kind: "lookup" }
  | { kind: "list"; found: DownloadCandidate[] }
  | { kind: "card"; target: Target }
  | { kind: "token"; target: Target; pulled: boolean }
  | { kind: "pin"; target: Target }
  | { kind: "progress"; target: Target; events: DownloadProgress[] }
  | { kind: "done"; result: DownloadResult };

/** The password card's CA refusals: fixed on the card step. */
const CARD_PROBLEMS = ["captcha_invalid", "password_card_invalid", "password_card_locked", "password_card_used"];

/** Where a failed download goes back to: the step that can fix the problem. */
export type Recovery =
  | { to: "pin"; wrong: PinStatus | null; keepError: boolean }
  | { to: "token" }
  | { to: "card" };

export function recover(e: unknown): Recovery {
  const err = asIpcError(e);
  const wrong = pinStatusOf(err);
  if (wrong !== null) return { to: "pin", wrong, keepError: false };
  if (needsFinalConfirmation(err)) return { to: "pin", wrong: null, keepError: true };
  if (err.code === "token_absent" || err.code === "wrong_token") return { to: "token" };
  if (CARD_PROBLEMS.includes(problemOf(err) ?? "")) return { to: "card" };
  return { to: "pin", wrong: null, keepError: true };
}

/** The CA saw the captcha once authorisation began: a retry needs a new one. */
export const captchaSpentBy = (events: DownloadProgress[]) => events.some((x) => x.step === "authorise");

/** The password card step's input, kept while the user goes back and forth. */
export type CardForm = {
  serial: string;
  password: string;
  phone: string;
  org: string;
  captchaAnswer: string;
  captcha: Captcha | null;
};
