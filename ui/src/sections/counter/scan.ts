// A scan the clerk picked (from the scanner's folder): read and checked as the
// applicant's uploads are, before anything crosses to the shell.
import { i18n } from "../../lib/i18n/index.svelte";
import { readFile, type PickedFile } from "../apply/upload";

/** The file a scan input was given (the input cleared for the next pick): the file, the
 *  sentence saying why it cannot be sent, or null when nothing was picked. */
export async function pickedScan(e: Event): Promise<PickedFile | string | null> {
  const input = e.currentTarget as HTMLInputElement;
  const file = input.files?.[0];
  input.value = "";
  if (!file) return null;
  const p = await readFile(file);
  if (typeof p === "string") {
    const t = i18n.t.applySteps;
    return p === "too_large" ? t.fileTooLargePlain : p === "empty" ? t.fileEmpty : t.fileUnsupported;
  }
  if (p.preview) URL.revokeObjectURL(p.preview);
  return p;
}
