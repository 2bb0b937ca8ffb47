import { describe, expect, it } from "vitest";
import type { CaseView, CounterPaymentView } from "../../lib/ipc/bindings";
import { desk, missing, yuan } from "./desk.svelte";

function aCase(over: Partial<CaseView> = {}): CaseView {
  return {
    id: "case_a",
    point_id: "BJ01",
    status: "open",
    application_id: "app_a",
    order_number: "202612060001",
    company_name: "某公司",
    amount_fen: 40000,
    opened_by: "OP1",
    keyed: false,
    application_status: "awaiting_payment",
    pending: [],
    editors: ["OP1"],
    fields: [
      { path: "enterprise.name", value: "某公司", original: null },
      { path: "handler.name", value: "张叁", original: "张三" },
    ],
    checks: [],
    documents: [],
    identity_checks: [],
    identity_person: "handler",
    created_at: "2026-12-06T10:00:00Z",
    ...over,
  };
}

describe("the clerk's desk", () => {
  it("says what a case still needs", () => {
    expect(missing(aCase(), [])).toEqual({ fields: 2, identity: true, steps: [], payment: true });
    const paid = [{ status: "paid" } as CounterPaymentView];
    const c = aCase({
      checks: [
        { field: "enterprise.name", outcome: "checked", operator_id: "OP1", at: "" },
        { field: "handler.name", outcome: "corrected", operator_id: "OP1", at: "" },
      ],
      identity_checks: [
        { person: "handler", document: "resident_id_card", copy_document_id: "doc_x", operator_id: "OP1", at: "" },
      ],
    });
    expect(missing(c, paid)).toEqual({ fields: 0, identity: false, steps: [], payment: false });
    // The legal representative's check does not stand for the handler's.
    const other = aCase({
      identity_checks: [
        { person: "legal_rep", document: "resident_id_card", copy_document_id: "doc_x", operator_id: "OP1", at: "" },
      ],
    });
    expect(missing(other, paid).identity).toBe(true);
  });

  it("asks no payment of an order paid online before the applicant came", () => {
    expect(missing(aCase({ application_status: "in_review" }), []).payment).toBe(false);
    expect(missing(aCase({ application_status: "awaiting_payment" }), []).payment).toBe(true);
  });

  it("lists a keyed case's own steps and asks no field checks of it", () => {
    const keyed = aCase({ keyed: true, application_status: "draft", pending: ["handler", "documents", "signature"] });
    // The handler's step is the identity check; the fields were typed at the counter.
    expect(missing(keyed, [])).toEqual({ fields: 0, identity: true, steps: ["documents", "signature"], payment: true });
  });

  it("keeps what was keyed until the case is on the desk", () => {
    desk.claim("OP1");
    desk.keyed.values["enterprise.name"] = "某公司";
    desk.keyed.key = "k1";
    desk.claim("OP1");
    expect(desk.keyed.values["enterprise.name"]).toBe("某公司");
    desk.keyedDone();
    expect(desk.keyed.values["enterprise.name"]).toBeUndefined();
    expect(desk.keyed.key).toBeNull();
    desk.keyed.values["enterprise.name"] = "某公司";
    desk.claim("OP2");
    expect(desk.keyed.values["enterprise.name"]).toBeUndefined();
  });

  it("keeps one idempotency key per payment until it is recorded", () => {
    desk.claim("OP1");
    desk.payment.method = "pos";
    desk.payment.reference = "POS-0001";
    const first = desk.paymentKey();
    // A retry after "the CA cannot be reached": the same key.
    expect(desk.paymentKey()).toBe(first);
    // Another slip number is another payment.
    desk.payment.reference = "POS-0002";
    const second = desk.paymentKey();
    expect(second).not.toBe(first);
    desk.paymentDone();
    expect(desk.paymentKey()).not.toBe(second);
  });

  it("starts clean for another operator, and keeps everything for the same one", () => {
    desk.claim("OP1");
    desk.current = aCase();
    desk.scan = "app_x";
    desk.claim("OP1");
    expect(desk.current?.id).toBe("case_a");
    expect(desk.scan).toBe("app_x");
    desk.claim("OP2");
    expect(desk.current).toBeNull();
    expect(desk.scan).toBe("");
  });

  it("shows fen as yuan", () => {
    expect(yuan(40000)).toBe("400.00");
    expect(yuan(5)).toBe("0.05");
  });
});
