// The clerk's desk state, kept at module level so that nothing typed or checked is lost
// when the counter locks, a call fails or the operator visits another section: the
// case on the desk, its payments and the forms' contents. Corrections are the CA's: the
// case view carries each corrected value and the applicant's value before.
import type { CaseView, CounterPaymentMethod, CounterPaymentView, IdDocument, Person, StepId } from "../../lib/ipc/bindings";

/** A new case being keyed at the counter: kept until the CA answers the case, so a
 *  refusal or an outage loses nothing typed. */
export type KeyDraft = {
  open: boolean;
  channel: string;
  values: Record<string, string>;
  agreed: boolean;
  /** One key per keying: a retry after a lost answer cannot key the application twice. */
  key: string | null;
};
export type SignDraft = { form: string; attested: boolean };

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
const emptyIdentity = (): IdentityDraft => ({ document: "resident_id_card", idNumber: "", copy: "", attested: false });
/** One draft per person checked (a keyed case may check both). */
let identities = $state<Record<Person, IdentityDraft>>({ handler: emptyIdentity(), legal_rep: emptyIdentity() });
let payment = $state<PaymentDraft>({ method: "pos", reference: "", key: null, keyFor: "" });
const emptyKey = (): KeyDraft => ({ open: false, channel: "", values: { "enterprise.legal_rep_handles": "false" }, agreed: false, key: null });
let keyed = $state<KeyDraft>(emptyKey());
let sign = $state<SignDraft>({ form: "", attested: false });

export const desk = {
  /** The desk belongs to one operator: another one signing in starts from a clean desk
   *  (the same operator after a lock finds everything as it was). */
  claim(operatorId: string) {
    if (owner === operatorId) return;
    owner = operatorId;
    current = null;
    payments = [];
    scan = "";
    identities = { handler: emptyIdentity(), legal_rep: emptyIdentity() };
    payment = { method: "pos", reference: "", key: null, keyFor: "" };
    keyed = emptyKey();
    sign = { form: "", attested: false };
  },
  get current() {
    return current;
  },
  set current(c: CaseView | null) {
    if (c && current && c.id !== current.id) {
      // Another case: the forms start empty (the old case's drafts belong to it).
      identities = { handler: emptyIdentity(), legal_rep: emptyIdentity() };
      payment = { method: "pos", reference: "", key: null, keyFor: "" };
      sign = { form: "", attested: false };
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
  identityOf(person: Person): IdentityDraft {
    return identities[person];
  },
  get keyed() {
    return keyed;
  },
  /** The keyed case is on the desk: the form starts empty for the next applicant. */
  keyedDone() {
    keyed = emptyKey();
  },
  get sign() {
    return sign;
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
  identityDone(person: Person) {
    identities[person].idNumber = "";
  },
};

/** Identity-number fields come masked from the shell (and a correction types the whole
 *  number anew). */
export function isIdentityNumber(path: string): boolean {
  return path === "enterprise.legal_rep_id_number" || path === "handler.id_number";
}

/** The steps a keyed case still needs that the identity check does not cover. */
const KEYED_STEPS: StepId[] = ["legal_rep_face", "documents", "authorisation", "signature"];

/** What the case still needs before review, in the order the clerk does it. A keyed
 *  case's fields were typed here (nothing to check against the applicant's own), and its
 *  other steps are the CA's list. */
export function missing(
  c: CaseView,
  paid: CounterPaymentView[],
): { fields: number; identity: boolean; steps: StepId[]; payment: boolean } {
  const done = new Set(c.checks.map((k) => k.field));
  return {
    fields: c.keyed ? 0 : c.fields.filter((f) => !done.has(f.path)).length,
    identity: !c.identity_checks.some((i) => i.person === c.identity_person),
    steps: c.pending.filter((s) => KEYED_STEPS.includes(s)),
    // Paid online before the applicant came, or at this counter.
    payment: owes(c) && !paid.some((p) => p.status === "paid"),
  };
}

/** Whether the fee is still owed: before payment the application is a draft or awaits it. */
export function owes(c: CaseView): boolean {
  return c.application_status === "draft" || c.application_status === "awaiting_payment";
}

/** Fen to yuan, two decimals. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}
