/** WebKitGTK (Linux) asks fontconfig for each family of a font list in turn, and every
 *  family the system lacks (PingFang SC, Microsoft YaHei, …) costs a lookup at the first
 *  layout: ≈70 ms of the first screen (issue 16's start-up bench). On Linux the page
 *  uses the system's own sans-serif and monospace instead, which fontconfig resolves for
 *  the page's language (a CJK face for zh-CN). Call before mounting. */
export function useSystemFonts(root: HTMLElement, userAgent: string = navigator.userAgent) {
  const linux = /\bLinux\b/.test(userAgent) && !/\bAndroid\b/.test(userAgent);
  root.classList.toggle("os-linux", linux);
}
