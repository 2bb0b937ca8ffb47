// Files the applicant picks or drops: checked here before anything crosses to the shell.
import type { DocumentKind, DocumentUpload } from "../../lib/ipc/bindings";

/** The CA accepts at most 5 MiB per document (`MAX_DOCUMENT_BYTES` in crates/ipc). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** What the CA accepts (it decides by content; this only saves a round trip). */
export const ACCEPT = "image/png,image/jpeg,application/pdf,.png,.jpg,.jpeg,.pdf";
/** OCR reads images only. */
export const ACCEPT_IMAGES = "image/png,image/jpeg,.png,.jpg,.jpeg";

export type FileProblem = "too_large" | "empty" | "unsupported";

export type PickedFile = {
  name: string;
  size: number;
  /** An image can be previewed (and read by OCR); a PDF cannot. */
  image: boolean;
  /** The content, base64 (what the IPC carries). */
  base64: string;
  /** A `blob:` URL for the preview (images only); revoke when done. */
  preview: string | null;
  /** A small JPEG `data:` URL kept with the draft to show beside the upload (images only). */
  thumbnail: string | null;
};

function kindOf(name: string, type: string): "image" | "pdf" | null {
  const n = name.toLowerCase();
  if (type === "image/png" || type === "image/jpeg" || /\.(png|jpe?g)$/.test(n)) return "image";
  if (type === "application/pdf" || n.endsWith(".pdf")) return "pdf";
  return null;
}

/** Why a file cannot be sent, or null when it can. */
export function checkFile(name: string, size: number, type: string, imagesOnly = false): FileProblem | null {
  if (size === 0) return "empty";
  if (size > MAX_UPLOAD_BYTES) return "too_large";
  const k = kindOf(name, type);
  if (k === null || (imagesOnly && k !== "image")) return "unsupported";
  return null;
}

/** Reads a checked file's bytes and makes its preview. */
export async function readFile(file: File, imagesOnly = false): Promise<PickedFile | FileProblem> {
  const problem = checkFile(file.name, file.size, file.type, imagesOnly);
  if (problem) return problem;
  const image = kindOf(file.name, file.type) === "image";
  const base64 = dataUrlContent(await dataUrl(file));
  const preview = image ? URL.createObjectURL(file) : null;
  const thumbnail = preview ? await thumbnailOf(preview) : null;
  return { name: file.name, size: file.size, image, base64, preview, thumbnail };
}

/** The longest side of a thumbnail, in pixels. */
export const THUMBNAIL_PX = 240;

/** A small JPEG of the image at `url` as a `data:` URL, or null where it cannot be drawn. */
export async function thumbnailOf(url: string): Promise<string | null> {
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = Math.min(1, THUMBNAIL_PX / Math.max(img.naturalWidth, img.naturalHeight, 1));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    const ctx = canvas.getContext("2d");
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.7);
  } catch {
    return null;
  }
}

/** The browser's own base64 encoder (fast for megabytes, unlike a loop over bytes). */
function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/** `data:image/png;base64,AAAA` → `AAAA`. */
export function dataUrlContent(url: string): string {
  const comma = url.indexOf(",");
  return comma < 0 ? "" : url.slice(comma + 1);
}

/** The shape the IPC command takes (`FileUpload`). */
export function toUpload(p: PickedFile): { file_name: string; content_base64: string } {
  return { file_name: p.name, content_base64: p.base64 };
}

/** The upload of `p` as a document of the draft, with its thumbnail where there is one. */
export function documentUpload(draftId: string, kind: DocumentKind, p: PickedFile): DocumentUpload {
  return { draft_id: draftId, kind, file: toUpload(p), thumbnail: p.thumbnail ?? undefined };
}

/** 1.2 MB / 830 KB */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}


/** The organisation code is characters 9–17 of a valid USCC (GB 32100). */
export function orgCodeOf(uscc: string): string {
  return uscc.length === 18 ? uscc.slice(8, 17) : "";
}
