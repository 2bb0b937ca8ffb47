// Distinguished names (CN=…,O=…) in the user's words: the organisation and the issuer's
// name are what people read; the whole name stays in the technical details for IT.

/** The attributes of a DN as printed ("CN=x,O=y"), in order; escaped commas kept. */
export function attributes(dn: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of dn.split(/(?<!\\),/)) {
    const eq = part.indexOf("=");
    if (eq > 0) out.push([part.slice(0, eq).trim().toUpperCase(), part.slice(eq + 1).trim().replace(/\\,/g, ",")]);
  }
  return out;
}

/** One attribute's value (the first), or null. */
export function attribute(dn: string, key: string): string | null {
  return attributes(dn).find(([k]) => k === key)?.[1] ?? null;
}

/** The CN of a DN, else the whole name. */
export function commonName(dn: string): string {
  return attribute(dn, "CN") ?? dn;
}

/** Who the certificate belongs to: the organisation (O), else the CN. */
export function organisation(dn: string): string {
  return attribute(dn, "O") ?? commonName(dn);
}
