import type { Catalog } from "../../lib/i18n/index.svelte";

/** A draft field's path (`handler.email`) as the forms label it; the path itself when
 *  no form names it. */
export function fieldLabel(t: Catalog, path: string): string {
  const labels: Record<string, string> = {
    "enterprise.uscc": t.enterprise.uscc,
    "enterprise.org_code": t.enterprise.orgCode,
    "enterprise.name": t.enterprise.name,
    "enterprise.legal_rep_name": t.enterprise.legalRepName,
    "enterprise.legal_rep_id_number": t.enterprise.legalRepIdNumber,
    "enterprise.legal_rep_phone": t.enterprise.legalRepPhone,
    "enterprise.legal_rep_handles": t.enterprise.handles,
    "handler.name": t.handler.name,
    "handler.id_number": t.handler.idNumber,
    "handler.phone": t.handler.phoneNumber,
    "handler.email": t.handler.email,
    "certificate.common_name": t.information.commonName,
    "certificate.province": t.information.province,
    "certificate.city": t.information.city,
    "invoice.title": t.information.invoiceTitle,
    "invoice.tax_number": t.information.invoiceTaxNumber,
    "invoice.email": t.information.invoiceEmail,
    "mailing.recipient": t.information.mailingRecipient,
    "mailing.phone": t.information.mailingPhone,
    "mailing.address": t.information.mailingAddress,
    "mailing.postcode": t.information.mailingPostcode,
  };
  return labels[path] ?? path;
}
