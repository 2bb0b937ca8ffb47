import { describe, expect, it } from "vitest";
import type { MakingProgressView } from "../../lib/ipc/bindings";
import { initialisedSince, makingStates, makingSteps } from "./making";

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

describe("after a failed making on a blank token", () => {
  const token = (serial: string, blank: boolean) => ({ serial, label: blank ? "" : "示例公司", blank });
  it("picks the token the blank one became", () => {
    const before = new Set(["", "op-1"]);
    expect(initialisedSince(before, [token("op-1", false), token("a1b2", false), token("", true)])).toBe("a1b2");
  });
  it("picks nothing when no single token is new", () => {
    const before = new Set(["", "op-1"]);
    expect(initialisedSince(before, [token("op-1", false), token("", true)])).toBeNull();
    expect(initialisedSince(before, [token("x", false), token("y", false)])).toBeNull();
  });
});
