import { describe, expect, it } from "vitest";
import { useSystemFonts } from "./fonts";

describe("useSystemFonts", () => {
  it("marks the page on Linux (WebKitGTK) only", () => {
    const root = document.createElement("html");
    useSystemFonts(root, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)");
    expect(root.classList.contains("os-linux")).toBe(true);
    useSystemFonts(root, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Edg/131.0");
    expect(root.classList.contains("os-linux")).toBe(false);
    useSystemFonts(root, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15");
    expect(root.classList.contains("os-linux")).toBe(false);
  });
});
