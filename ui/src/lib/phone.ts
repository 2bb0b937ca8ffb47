/** 13812345678 → 138****5678: the one way the app shows a phone (the shell's
 *  `certdesk_ident::mask_phone` masks the signed-in phone the same way). */
export function maskPhone(p: string | undefined): string {
  const s = (p ?? "").trim();
  return s.length === 11 ? `${s.slice(0, 3)}****${s.slice(7)}` : "";
}
