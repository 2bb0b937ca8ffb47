import type { Catalog } from "./zh-CN";

const en: Catalog = {
  app: {
    name: "CertDesk",
    subName: "证书助手",
    tagline: "Organisation certificates, from application to USBKey",
    skipToContent: "Skip to main content",
  },
  nav: {
    label: "Main navigation",
    apply: "Apply",
    orders: "Orders",
    download: "Download",
    certificates: "My certificates",
    invoices: "Invoices",
    environment: "Environment check",
    settings: "Settings",
  },
  sections: {
    apply: {
      title: "Apply for a certificate",
      lead: "New organisation certificate: choose a channel, then enterprise verification, handler verification, confirmation, documents and payment.",
    },
    orders: {
      title: "Orders",
      lead: "See unfinished and finished orders; continue or cancel an unfinished one.",
    },
    download: {
      title: "Certificate download",
      lead: "Once approved, download the certificate onto the inserted USBKey with the password card; the key is generated on the token and never leaves it.",
    },
    certificates: {
      title: "My certificates",
      lead: "Certificates on your USBKeys with validity and expiry reminders; renewal, change, reissue and PIN change.",
    },
    invoices: {
      title: "Invoices",
      lead: "View and save e-invoices, or send them again to an e-mail address.",
    },
    environment: {
      title: "Environment check",
      lead: "Checks what CertDesk needs on this computer and says how to fix what is missing.",
    },
    settings: {
      title: "Settings",
      lead: "Interface language and the CA service address. Token driver settings arrive with the token features.",
    },
  },
  notBuilt: {
    heading: "Not available yet",
    body: "This version cannot do this yet. We show no placeholder data; the feature will appear here when it is ready.",
  },
  status: {
    label: "Connection status",
    ca: "CA service",
    caNotConfigured: "not configured",
    caChecking: "connecting…",
    caOnline: "connected",
    caOffline: "unreachable",
    retry: "Retry",
    token: "USBKey",
    tokenUnavailable: "token detection not connected yet",
    tokenNone: "none inserted",
    tokenPresent: "inserted",
    latency: "ms",
  },
  environment: {
    version: "Version",
    platform: "Operating system",
    dataDir: "Data folder",
    logDir: "Log folder",
    caService: "CA service address",
    caReachable: "CA service reachability",
    notSet: "not set",
    tokenChecks: "Checks of token drivers, the smart-card service and readers arrive with the token layer.",
    fixCa: "Check the network, or the CA service address in Settings.",
    setCa: "Enter the CA service address in Settings.",
  },
  settings: {
    language: "Language",
    languageHint: "Takes effect at once and is kept for the next start.",
    caUrl: "CA service address",
    caUrlHint: "Leave empty to use the default. Only http:// or https:// addresses.",
    caUrlPlaceholder: "e.g. https://ca.example.cn",
    save: "Save",
    saved: "Saved",
  },
  languages: {
    "zh-CN": "简体中文",
    en: "English",
  },
  errors: {
    internal: "Something went wrong inside CertDesk. Try again; if it keeps happening, export a diagnostic bundle from Environment check and contact support.",
    invalid_input: "Some entries are not valid; check the fields marked in red.",
    not_configured: "A required setting is missing; complete it in Settings.",
    ca_unreachable: "The CA service cannot be reached. Check the network and try again; nothing you entered is lost.",
    ca_protocol: "The CA service answered with something unexpected. Try again later.",
    ca_rejected: "The CA service refused this request.",
    session_expired: "Your session expired. Sign in again to continue.",
    not_found: "Nothing was found.",
    conflict: "This conflicts with the current state. Refresh and try again.",
    storage: "Local data could not be read or written. Check disk space and permissions.",
    keychain: "The system keychain is not available. Unlock it and try again.",
    token_absent: "No USBKey detected. Insert it and try again.",
    token_module: "The USBKey driver failed to load. Reinstall the driver.",
    pin_incorrect: "Wrong PIN.",
    pin_locked: "The PIN is locked. Contact a CA acceptance point to unlock it.",
    unsupported: "This device or system does not support this operation.",
  },
};

export default en;
