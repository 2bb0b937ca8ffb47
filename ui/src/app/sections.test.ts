import { describe, expect, it } from "vitest";
import { SECTIONS, sectionFromHash } from "./sections";

describe("sectionFromHash", () => {
  it("maps each section's hash to it", () => {
    for (const id of SECTIONS) expect(sectionFromHash(`#/${id}`)).toBe(id);
  });
  it("ignores sub-paths and queries", () => {
    expect(sectionFromHash("#/orders/42?tab=finished")).toBe("orders");
  });
  it("falls back to apply for unknown or empty hashes", () => {
    expect(sectionFromHash("")).toBe("apply");
    expect(sectionFromHash("#/nope")).toBe("apply");
  });
});
