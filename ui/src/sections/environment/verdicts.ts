import type { Catalog } from "../../lib/i18n/index.svelte";
import { fmt } from "../../lib/ipc/errors";
import type { EnvironmentReport, TokenFound } from "../../lib/ipc/bindings";

/** `info`: worth knowing, nothing to do. */
export type Verdict = "ok" | "info" | "warn" | "fail";

/** One row of the check: what was found, in plain words, and how to fix it. */
export interface Row {
  id: "modules" | "smart-card" | "tokens" | "ca" | "clock";
  title: string;
  verdict: Verdict;
  summary: string;
  details: string[];
  fix: string | null;
}

const mark: Record<Verdict, string> = { ok: "✔", info: "ℹ", warn: "⚠", fail: "✖" };
export const markOf = (v: Verdict) => mark[v];

function worst(vs: Verdict[]): Verdict {
  return vs.includes("fail") ? "fail" : vs.includes("warn") ? "warn" : "ok";
}

function tokenVerdict(t: TokenFound): Verdict {
  if (!t.initialized || t.pin === "locked") return "fail";
  // Damaged objects (an interrupted write) never block the token: they are offered for repair.
  return t.pin === "final_try" || t.pin === "count_low" || t.damaged.length > 0 ? "warn" : "ok";
}

function tokenFix(t: Catalog["environment"], tok: TokenFound): string | null {
  if (!tok.initialized) return t.tokenBlankFix;
  if (tok.pin === "locked") return t.pinLockedFix;
  if (tok.pin === "final_try") return t.pinFinalTryFix;
  if (tok.damaged.length > 0) return t.tokenDamagedFix;
  return null;
}

/** The tokens with damaged objects, each with its module (for the repair). */
export function damagedTokens(r: EnvironmentReport): { module: string; token: TokenFound }[] {
  return r.modules.flatMap((m) =>
    m.state === "loaded" ? m.tokens.filter((t) => t.damaged.length > 0).map((token) => ({ module: m.path, token })) : [],
  );
}

/** The report as rows, each with its verdict and fix. Pure, so vitest checks it. */
export function rows(cat: Catalog, r: EnvironmentReport): Row[] {
  const t = cat.environment;
  const os = r.os === "windows" ? "windows" : r.os === "macos" ? "macos" : "linux";
  const out: Row[] = [];

  const broken = r.modules.filter((m) => m.state === "broken");
  out.push({
    id: "modules",
    title: t.modules,
    verdict: r.modules.length === 0 ? "fail" : broken.length > 0 ? "warn" : "ok",
    summary:
      r.modules.length === 0
        ? t.modulesNone
        : r.modules
            .filter((m) => m.state === "loaded")
            .map((m) => (m.state === "loaded" ? `${m.library} ${m.version}`.trim() : ""))
            .join("；") || t.moduleBroken,
    details: r.modules.map((m) =>
      m.state === "loaded" ? `✔ ${m.path}` : `✖ ${t.moduleBroken}: ${m.path} (${m.detail})`,
    ),
    fix: r.modules.length === 0 ? t.modulesNoneFix : broken.length > 0 ? t.moduleBrokenFix : null,
  });

  const sc = r.smart_card;
  // Tokens reached through their own PKCS#11 module need no PC/SC service.
  const tokensWork = r.modules.some((m) => m.state === "loaded" && m.tokens.some((k) => k.initialized));
  out.push({
    id: "smart-card",
    title: t.smartCard,
    verdict: sc.state === "running" ? "ok" : tokensWork ? "info" : "fail",
    summary:
      sc.state === "running"
        ? `${t.smartCardRunning} · ${sc.readers.length} ${t.readers}`
        : tokensWork
          ? t.smartCardNotNeeded
          : t.smartCardStopped,
    details:
      sc.state === "running"
        ? sc.readers.map((rd) => `${rd.name}: ${rd.card_present ? t.cardPresent : t.cardAbsent}`)
        : [], // the service's own (English) words go to the diagnostic bundle, not the page
    fix: sc.state === "running" || tokensWork ? null : t.smartCardFix[os],
  });

  const tokens = r.modules.flatMap((m) => (m.state === "loaded" ? m.tokens : []));
  const tokenVerdicts = tokens.map(tokenVerdict);
  out.push({
    id: "tokens",
    title: t.tokens,
    verdict: tokens.length === 0 ? "warn" : worst(tokenVerdicts),
    summary: tokens.length === 0 ? t.tokensNone : tokens.map((k) => k.label || k.serial).join("；"),
    details: tokens.map(
      (k) =>
        `${markOf(tokenVerdict(k))} ${k.label} · ${k.manufacturer} ${k.model} · ${t.tokenSerial} ${k.serial} · ` +
        (k.initialized ? t.pin[k.pin] : t.tokenBlank) +
        (k.damaged.length > 0 ? ` · ${fmt(t.tokenDamaged, { count: k.damaged.length })}` : ""),
    ),
    fix:
      tokens.length === 0
        ? t.tokensNoneFix
        : (tokens.map((k) => tokenFix(t, k)).find((f) => f !== null) ?? null),
  });

  const ca = r.ca;
  switch (ca.state) {
    case "online":
      out.push({
        id: "ca",
        title: t.ca,
        verdict: ca.tls ? "ok" : "warn",
        summary: `${t.caOnline} · ${ca.latency_ms} ${cat.status.latency}`,
        details: [ca.url, ca.tls ? t.caTls : t.caPlain],
        fix: null,
      });
      break;
    case "not_configured":
      out.push({ id: "ca", title: t.ca, verdict: "warn", summary: cat.status.caNotConfigured, details: [], fix: t.setCa });
      break;
    case "unreachable":
      out.push({ id: "ca", title: t.ca, verdict: "fail", summary: cat.errors.ca_unreachable, details: [ca.url], fix: t.fixCa });
      break;
    case "tls_failed":
      out.push({ id: "ca", title: t.ca, verdict: "fail", summary: t.caTlsFailed, details: [ca.url, ca.detail], fix: t.caTlsFix });
      break;
    case "bad_answer":
      out.push({
        id: "ca",
        title: t.ca,
        verdict: "fail",
        summary: fmt(t.caBadAnswer, { status: ca.status }),
        details: [ca.url],
        fix: t.caBadAnswerFix,
      });
      break;
  }

  const c = r.clock;
  out.push({
    id: "clock",
    title: t.clock,
    verdict: c.state === "skewed" ? "fail" : c.state === "unknown" ? "warn" : "ok",
    summary:
      c.state === "in_sync"
        ? fmt(t.clockInSync, { seconds: Math.abs(c.skew_seconds) })
        : c.state === "skewed"
          ? fmt(t.clockSkewed, { minutes: Math.round(Math.abs(c.skew_seconds) / 60) })
          : t.clockUnknown,
    details: [],
    fix: c.state === "skewed" ? t.clockSkewedFix : null,
  });
  return out;
}
