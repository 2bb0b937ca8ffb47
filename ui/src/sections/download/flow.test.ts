import { describe, expect, it } from "vitest";
import { captchaSpentBy, recover } from "./flow";

const err = (code: string, details: unknown = null) => ({ code, message: "", details });

describe("a failed download goes back to the step that can fix it", () => {
  it("a wrong PIN: the PIN step, with the retry state and no general error", () => {
    expect(recover(err("pin_incorrect", { pin_status: "count_low" }))).toEqual({
      to: "pin",
      wrong: "count_low",
      keepError: false,
    });
  });
  it("the final try unconfirmed: the PIN step, saying so", () => {
    expect(recover(err("pin_final_try"))).toEqual({ to: "pin", wrong: null, keepError: true });
  });
  it("the USBKey pulled or swapped: the token step", () => {
    expect(recover(err("token_absent"))).toEqual({ to: "token" });
    expect(recover(err("wrong_token", { serial: "X" }))).toEqual({ to: "token" });
  });
  it("a password card or captcha refusal: the card step", () => {
    expect(recover(err("ca_rejected", { problem: "password_card_used" }))).toEqual({ to: "card" });
    expect(recover(err("ca_rejected", { problem: "captcha_invalid" }))).toEqual({ to: "card" });
  });
  it("anything else: the PIN step with the error shown", () => {
    expect(recover(err("ca_unreachable"))).toEqual({ to: "pin", wrong: null, keepError: true });
  });
  it("the captcha is spent once authorisation began", () => {
    expect(captchaSpentBy([])).toBe(false);
    expect(captchaSpentBy([{ step: "authorise" } as never])).toBe(true);
  });
});
