// Hash routes that carry an order: one place builds and reads them.

/** `#/download?order=<id>`: the download page opened for a signed-in applicant's order. */
export function downloadHref(applicationId: string): string {
  return `#/download?order=${encodeURIComponent(applicationId)}`;
}

/** The order a `#/download?order=<id>` hash names, or null. */
export function downloadOrderOf(hash: string): string | null {
  const m = /^#\/download\?order=([^&]+)$/.exec(hash);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] ?? "") || null;
  } catch {
    return null;
  }
}
