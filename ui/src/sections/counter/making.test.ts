import { describe, expect, it } from "vitest";
import type { MakingProgressView } from "../../lib/ipc/bindings";
import { makingStates, makingSteps } from "./making";

const ev = (step: MakingProgressView["step"], phase: MakingProgressView["phase"]): MakingProgressView => ({
  case_id: "case_x",
  step,
  phase,
  resumed: false,
});

describe("making progress", () => {
  it("orders init, the transaction and the counter's own steps", () => {
    const events = [
      ev({ kind: "init-token" }, "done"),
      ev({ kind: "transaction", step: "keygen" }, "started"),
    ];
    const steps = makingSteps(events);
    expect(steps[0]).toBe("init-token");
    expect(steps.at(-1)).toBe("record-token");
    expect(steps).not.toContain("import-envelope");
    const states = makingStates(steps, events);
    expect(states["init-token"]).toBe("done");
    expect(states["preflight"]).toBe("done");
    expect(states["keygen"]).toBe("running");
    expect(states["record-token"]).toBe("pending");
  });

  it("shows the envelope import only when a dual channel reports it", () => {
    const steps = makingSteps([ev({ kind: "transaction", step: "import-envelope" }, "started")]);
    expect(steps).toContain("import-envelope");
  });
});
