import { detailsWith } from "../ipc/errors";

/**
 * A resend countdown (an SMS code, a captcha-guarded request): `left` counts whole
 * seconds down to 0, once a second. `start` restarts it; `stop` on unmount. A server's
 * `retry_after` is capped at an hour so a bad value cannot lock the button for good.
 */
export class ResendTimer {
  left = $state(0);
  #timer: ReturnType<typeof setInterval> | undefined;

  start(seconds: number) {
    clearInterval(this.#timer);
    this.left = Math.max(0, Math.ceil(Math.min(seconds, 3600)));
    this.#timer = setInterval(() => {
      this.left = Math.max(0, this.left - 1);
      if (this.left === 0) clearInterval(this.#timer);
    }, 1000);
  }

  /** Waits as long as a refusal (rate limit, lock-out) says, or `fallback` seconds. */
  startAfter(refusal: unknown, fallback: number) {
    const wait = Number(detailsWith(refusal, "retry_after")?.retry_after ?? fallback);
    this.start(Number.isFinite(wait) ? wait : fallback);
  }

  stop() {
    clearInterval(this.#timer);
  }
}
