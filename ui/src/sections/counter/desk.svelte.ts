// The clerk's desk state, kept at module level so that nothing typed or checked is lost
// when the counter locks, a call fails or the operator visits another section: the
// case on the desk, its payments and the forms' contents. Corrections are the CA's: the
// case view carries each corrected value and the applicant's value before.
import type { CaseView, CounterPaymentMethod, CounterPaymentView, IdDocument } from "../../lib/ipc/bindings";

export type IdentityDraft = { document: IdDocument; idNumber: string; copy: string; attested: boolean };
export type PaymentDraft = {
  method: CounterPaymentMethod;
  reference: string;
  /** One key per payment attempt: kept across retries of the same method and number,
   *  so an answer lost to a CA outage cannot record the slip twice. */
  key: string | null;
  keyFor: string;
};

let owner = "";
let current = $state<CaseView | null>(null);
let payments = $state<CounterPaymentView[]>([]);
let scan = $state("");
let identity = $state<IdentityDraft>({ document: "resident_id_card", idNumber: "", copy: "", attested: false });
let payment = $state<PaymentDraft>({ method: "pos", reference: "", key: null, keyFor: "" });

export const desk = {
  /** The desk belongs to one operator: another one signing in starts from a clean desk
   *  (the same operator after a lock finds everything as it was). */
  claim(operatorId: string) {
    if (owner === operatorId) return;
    owner = operatorId;
    current = null;
    payments = [];
    scan = "";
    identity = { document: "resident_id_card", idNumber: "", copy: "", attested: false };
    payment = { method: "pos", reference: "", key: null, keyFor: "" };
  },
  get current() {
    return current;
  },
  set current(c: CaseView | null) {
    if (c && current && c.id !== current.id) {
      // Another case: the forms start empty (the old case's drafts belong to it).
      identity = { document: "resident_id_card", idNumber: "", copy: "", attested: false };
      payment = { method: "pos", reference: "", key: null, keyFor: "" };
      payments = [];
    }
    current = c;
  },
  get payments() {
    return payments;
  },
  set payments(p: CounterPaymentView[]) {
    payments = p;
  },
  get scan() {
    return scan;
  },
  set scan(s: string) {
    scan = s;
  },
  get identity() {
    return identity;
  },
  get payment() {
    return payment;
  },
  /** The idempotency key of this payment: the same while method and number are unchanged. */
  paymentKey(): string {
    const what = `${payment.method}|${payment.reference.trim()}`;
    if (payment.key === null || payment.keyFor !== what) {
      payment.key = crypto.randomUUID();
      payment.keyFor = what;
    }
    return payment.key;
  },
  paymentDone() {
    payment.key = null;
    payment.keyFor = "";
  },
  /** Forgets the identity number once recorded (it is not kept anywhere). */
  identityDone() {
    identity.idNumber = "";
  },
};

/** Identity-number fields come masked from the shell (and a correction types the whole
 *  number anew). */
export function isIdentityNumber(path: string): boolean {
  return path === "enterprise.legal_rep_id_number" || path === "handler.id_number";
}

/** What the case still needs before review, in the order the clerk does it. */
export function missing(c: CaseView, paid: CounterPaymentView[]): { fields: number; identity: boolean; payment: boolean } {
  const done = new Set(c.checks.map((k) => k.field));
  return {
    fields: c.fields.filter((f) => !done.has(f.path)).length,
    identity: !c.identity_checks.some((i) => i.person === c.identity_person),
    payment: !paid.some((p) => p.status === "paid"),
  };
}

/** The local time of day of a CA timestamp (RFC 3339, UTC). */
export function clock(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** Fen to yuan, two decimals. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}
