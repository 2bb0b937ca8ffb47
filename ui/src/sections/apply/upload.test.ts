import { maskPhone } from "../../lib/phone";
import { describe, expect, it } from "vitest";
import { MAX_UPLOAD_BYTES, checkFile, dataUrlContent, orgCodeOf, sizeText } from "./upload";

describe("upload checks", () => {
  it("refuses files over 5 MiB, empty files and other types", () => {
    expect(checkFile("a.png", MAX_UPLOAD_BYTES, "image/png")).toBeNull();
    expect(checkFile("a.png", MAX_UPLOAD_BYTES + 1, "image/png")).toBe("too_large");
    expect(checkFile("a.png", 0, "image/png")).toBe("empty");
    expect(checkFile("a.docx", 10, "")).toBe("unsupported");
    expect(checkFile("scan.PDF", 10, "")).toBeNull();
    expect(checkFile("scan.pdf", 10, "application/pdf", true)).toBe("unsupported");
    expect(checkFile("photo.JPG", 10, "", true)).toBeNull();
  });
  it("formats sizes, masks phones, derives the organisation code", () => {
    expect(sizeText(6 * 1024 * 1024)).toBe("6.0 MB");
    expect(sizeText(300)).toBe("1 KB");
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("")).toBe("");
    expect(orgCodeOf("91110108MA01ABCD2X")).toBe("MA01ABCD2");
    expect(dataUrlContent("data:image/png;base64,iVBORw0=")).toBe("iVBORw0=");
    expect(dataUrlContent("garbage")).toBe("");
  });
});
