import { describe, expect, it } from "vitest";
import { stepStates, stepsFor, validPhone } from "./steps";

describe("download steps", () => {
  it("leave out the envelope import on single-certificate channels", () => {
    expect(stepsFor(false)).not.toContain("import-envelope");
    expect(stepsFor(true)).toContain("import-envelope");
  });

  it("show done, running and pending from the events", () => {
    const steps = stepsFor(false);
    const s = stepStates(steps, [
      { application_id: "a", step: "preflight", phase: "started", resumed: false },
      { application_id: "a", step: "preflight", phase: "done", resumed: false },
      { application_id: "a", step: "authorise", phase: "started", resumed: false },
    ]);
    expect(s["preflight"]).toBe("done");
    expect(s["authorise"]).toBe("running");
    expect(s["login"]).toBe("pending");
  });

  it("mark a resumed run's skipped steps, and steps before a later one as done", () => {
    const steps = stepsFor(false);
    const s = stepStates(steps, [
      { application_id: "a", step: "keygen", phase: "skipped", resumed: true },
      { application_id: "a", step: "csr", phase: "started", resumed: true },
    ]);
    expect(s["keygen"]).toBe("skipped");
    expect(s["login"]).toBe("done");
    expect(s["csr"]).toBe("running");
    expect(s["finalize"]).toBe("pending");
  });

  it("check mobile numbers", () => {
    expect(validPhone("13800138000")).toBe(true);
    expect(validPhone("1380013800")).toBe(false);
    expect(validPhone("23800138000")).toBe(false);
  });
});
