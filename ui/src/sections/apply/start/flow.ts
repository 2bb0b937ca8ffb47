import type { Business, ChannelInfo, StartState } from "../../../lib/ipc/bindings";

/** Where 申请证书 is: choosing a channel, then the business on it, then reading the
 *  methods and agreeing, then the started draft (its enterprise form). */
export type Flow =
  | { kind: "channel" }
  | { kind: "business"; channel: ChannelInfo }
  | { kind: "method"; channel: ChannelInfo; business: Business }
  | { kind: "ready"; started: StartState };

/** The steps before a draft exists, in order (the chips above the page). */
export const STEPS = ["channel", "business", "method"] as const;
export type StepKind = (typeof STEPS)[number];
