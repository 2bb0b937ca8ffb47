import { commands, type FieldError } from "../ipc/bindings";
import { fieldErrors } from "../ipc/errors";
import { i18n } from "../i18n/index.svelte";
import { session } from "../session.svelte";

/**
 * What the apply forms share: a draft's values saved as typed (each save checked by the
 * core, its problem kept per field), which fields were touched, the CA's per-field
 * refusals, and the one message a field shows. One instance per form.
 */
export class DraftForm {
  values = $state<Record<string, string>>({});
  /** The core's check of each saved value (absent = fine). */
  inline = $state<Record<string, FieldError>>({});
  touched = $state<Record<string, boolean>>({});
  /** Messages from the last submit: missing fields, or the CA's per-field refusals. */
  server = $state<Record<string, string>>({});
  error = $state<unknown>(null);
  loaded = $state(false);
  /** Saves under way: the draft is on disk once this is back at 0. */
  saving = $state(0);

  readonly #draftId: () => string;
  /** Show the core's check of an untouched field too once a submit was refused. */
  readonly #inlineAfterSubmit: boolean;

  constructor(draftId: () => string, { inlineAfterSubmit = false } = {}) {
    this.#draftId = draftId;
    this.#inlineAfterSubmit = inlineAfterSubmit;
  }

  /** The one message a field shows: its own check once touched, else the submit's. */
  message(path: string): string | null {
    const p = this.inline[path];
    const shown = this.touched[path] || (this.#inlineAfterSubmit && Object.keys(this.server).length > 0);
    if (p && shown) return i18n.lang === "en" ? p.message_en : p.message_zh;
    return this.server[path] ?? null;
  }

  async save(path: string, value: string) {
    this.values[path] = value;
    delete this.server[path];
    this.saving++;
    try {
      const p = await commands.saveField({ draft_id: this.#draftId(), field: path, value });
      if (p) this.inline[path] = p;
      else delete this.inline[path];
    } catch (e) {
      if (!session.expiredBy(e)) this.error = e;
    } finally {
      this.saving--;
    }
  }

  /** Loads the draft's values (by default as saved; a step may load them prefilled). */
  async load(open: (id: string) => Promise<{ values: Record<string, string> }> = commands.openDraft) {
    try {
      this.values = { ...(await open(this.#draftId())).values };
    } catch (e) {
      if (!session.expiredBy(e)) this.error = e;
    } finally {
      this.loaded = true;
    }
  }

  touch(paths: string[]) {
    for (const p of paths) this.touched[p] = true;
  }

  /** Marks the required fields left empty; true when any is, or any check failed. */
  refuseIncomplete(paths: string[], required: string): boolean {
    const empty: Record<string, string> = {};
    for (const p of paths) if (!(this.values[p] ?? "").trim()) empty[p] = required;
    this.server = empty;
    return Object.keys(empty).length > 0 || Object.keys(this.inline).length > 0;
  }

  /** The CA's per-field refusals of a submit, in the user's language. */
  refusedBy(e: unknown): Record<string, string> {
    this.server = fieldErrors(e, i18n.lang);
    return this.server;
  }
}
