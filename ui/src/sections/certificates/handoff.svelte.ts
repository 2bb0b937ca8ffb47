import type { Business } from "../../lib/ipc/bindings";

/** A change or reissue started from a certificate card, for the Apply section to pick up. */
export type CertificateBusiness = { business: Business; serial: string; name: string };

export const handoff = $state<{ value: CertificateBusiness | null }>({ value: null });
