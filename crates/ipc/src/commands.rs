//! The list of IPC commands. The shell's build script derives the command permissions
//! from it and the bindings generator derives the typed TS wrappers, so a command has
//! one spelling in one place.

/// One command: its Rust/Tauri name, its arguments (name, TS type) and its TS result.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub args: &'static [(&'static str, &'static str)],
    pub returns: &'static str,
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "app_info",
        args: &[],
        returns: "AppInfo",
    },
    CommandSpec {
        name: "get_settings",
        args: &[],
        returns: "Settings",
    },
    CommandSpec {
        name: "set_language",
        args: &[("language", "Language")],
        returns: "Settings",
    },
    CommandSpec {
        name: "set_ca_url",
        args: &[("url", "string | null")],
        returns: "Settings",
    },
    CommandSpec {
        name: "status_snapshot",
        args: &[],
        returns: "StatusSnapshot",
    },
    CommandSpec {
        name: "check_ca",
        args: &[],
        returns: "CaConnection",
    },
    CommandSpec {
        name: "environment_check",
        args: &[],
        returns: "EnvironmentReport",
    },
    CommandSpec {
        name: "inspect_token_damage",
        args: &[
            ("module", "string"),
            ("serial", "string"),
            ("pin", "string"),
        ],
        returns: "DamagedObject[]",
    },
    CommandSpec {
        name: "repair_token",
        args: &[
            ("module", "string"),
            ("serial", "string"),
            ("fingerprints", "string[]"),
        ],
        returns: "number",
    },
    CommandSpec {
        name: "diagnostic_bundle",
        args: &[],
        returns: "DiagnosticBundle",
    },
    CommandSpec {
        name: "update_policy",
        args: &[],
        returns: "UpdatePolicyView",
    },
    CommandSpec {
        name: "set_update_channel",
        args: &[("channel", "UpdateChannel")],
        returns: "UpdatePolicyView",
    },
    CommandSpec {
        name: "check_for_update",
        args: &[],
        returns: "UpdateCheck",
    },
    CommandSpec {
        name: "download_update",
        args: &[],
        returns: "UpdateReady",
    },
    CommandSpec {
        name: "install_update",
        args: &[],
        returns: "null",
    },
    CommandSpec {
        name: "self_check",
        args: &[("request", "SelfCheckRequest")],
        returns: "SelfCheckResult",
    },
    CommandSpec {
        name: "first_render",
        args: &[],
        returns: "null",
    },
    CommandSpec {
        name: "session_state",
        args: &[],
        returns: "SessionInfo",
    },
    CommandSpec {
        name: "captcha",
        args: &[],
        returns: "CaptchaImage",
    },
    CommandSpec {
        name: "send_sign_in_code",
        args: &[("request", "SignInCodeRequest")],
        returns: "CodeSent",
    },
    CommandSpec {
        name: "sign_in",
        args: &[("request", "SignInRequest")],
        returns: "SignedIn",
    },
    CommandSpec {
        name: "sign_out",
        args: &[],
        returns: "SessionInfo",
    },
    CommandSpec {
        name: "orders",
        args: &[("tab", "OrderTab"), ("cursor", "string | null")],
        returns: "OrderPage",
    },
    CommandSpec {
        name: "open_order",
        args: &[("id", "string")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "cancel_order",
        args: &[("id", "string")],
        returns: "null",
    },
    CommandSpec {
        name: "channels",
        args: &[],
        returns: "ChannelInfo[]",
    },
    CommandSpec {
        name: "start_application",
        args: &[("request", "StartRequest")],
        returns: "StartState",
    },
    CommandSpec {
        name: "open_draft",
        args: &[("id", "string")],
        returns: "DraftForm",
    },
    CommandSpec {
        name: "save_field",
        args: &[("input", "FieldInput")],
        returns: "FieldProblem | null",
    },
    CommandSpec {
        name: "submit_enterprise",
        args: &[("id", "string")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "local_drafts",
        args: &[],
        returns: "LocalDraft[]",
    },
    CommandSpec {
        name: "discard_draft",
        args: &[("id", "string")],
        returns: "null",
    },
    CommandSpec {
        name: "verify_handler",
        args: &[("request", "HandlerCheckRequest")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "confirm_information",
        args: &[("id", "string")],
        returns: "OrderView",
    },
    // My certificates and invoices (issue 7).
    CommandSpec {
        name: "my_certificates",
        args: &[],
        returns: "MyCertificates",
    },
    CommandSpec {
        name: "change_pin",
        args: &[("request", "ChangePinRequest")],
        returns: "null",
    },
    CommandSpec {
        name: "export_certificate",
        args: &[
            ("certificate", "CertificateRef"),
            ("format", "ExportFormat"),
        ],
        returns: "SavedFile",
    },
    CommandSpec {
        name: "renew_certificate",
        args: &[("request", "RenewRequest")],
        returns: "RenewalDone",
    },
    CommandSpec {
        name: "check_certificate_standing",
        args: &[],
        returns: "MyCertificates",
    },
    CommandSpec {
        name: "forget_certificate",
        args: &[("certificate", "CertificateRef")],
        returns: "null",
    },
    CommandSpec {
        name: "invoices",
        args: &[],
        returns: "OrderInvoices[]",
    },
    CommandSpec {
        name: "save_invoice_pdf",
        args: &[("id", "string")],
        returns: "SavedFile",
    },
    CommandSpec {
        name: "resend_invoice",
        args: &[("id", "string"), ("email", "string")],
        returns: "InvoiceInfo",
    },
    // ---- documents, face checks, authorisation, application signature ----
    CommandSpec {
        name: "upload_document",
        args: &[("upload", "DocumentUpload")],
        returns: "DocumentMeta",
    },
    CommandSpec {
        name: "ocr_business_licence",
        args: &[("file", "FileUpload")],
        returns: "OcrSuggestions",
    },
    CommandSpec {
        name: "start_face_check",
        args: &[("request", "FaceCheckRequest")],
        returns: "FaceCheckView",
    },
    CommandSpec {
        name: "face_check",
        args: &[("id", "string")],
        returns: "FaceCheckView",
    },
    CommandSpec {
        name: "start_online_authorisation",
        args: &[("id", "string")],
        returns: "AuthorisationSent",
    },
    CommandSpec {
        name: "send_signature_code",
        args: &[("id", "string")],
        returns: "CodeSent",
    },
    CommandSpec {
        name: "sign_application",
        args: &[("request", "SignatureRequest")],
        returns: "OrderView",
    },
    // ---- payment, paper and parcels, the printed form, deep links ----
    CommandSpec {
        name: "start_payment",
        args: &[("request", "PaymentRequest")],
        returns: "PaymentCode",
    },
    CommandSpec {
        name: "payment_status",
        args: &[("id", "string")],
        returns: "PaymentCode",
    },
    CommandSpec {
        name: "renew_payment",
        args: &[("id", "string")],
        returns: "PaymentCode",
    },
    CommandSpec {
        name: "record_paper_tracking",
        args: &[("request", "TrackingRequest")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "confirm_receipt",
        args: &[("id", "string")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "save_application_form",
        args: &[("id", "string"), ("action", "FormAction")],
        returns: "FormSaved | null",
    },
    CommandSpec {
        name: "open_link",
        args: &[("url", "string")],
        returns: "OrderView",
    },
    CommandSpec {
        name: "pending_link",
        args: &[],
        returns: "string | null",
    },
    CommandSpec {
        name: "sync_draft",
        args: &[("id", "string")],
        returns: "SyncState",
    },
    CommandSpec {
        name: "resolve_conflicts",
        args: &[("request", "ResolveRequest")],
        returns: "SyncState",
    },
    // ---- certificate download (证书下载) ----
    CommandSpec {
        name: "download_lookup",
        args: &[("request", "DownloadLookupRequest")],
        returns: "DownloadCandidate[]",
    },
    CommandSpec {
        name: "download_tokens",
        args: &[
            ("applicationId", "string"),
            ("keyAlgorithm", "KeyAlgorithmName"),
            ("dual", "boolean"),
        ],
        returns: "DownloadTokens",
    },
    CommandSpec {
        name: "download_ca_clock",
        args: &[],
        returns: "CaClock",
    },
    CommandSpec {
        name: "start_download",
        args: &[("request", "StartDownloadRequest")],
        returns: "DownloadResult",
    },
    CommandSpec {
        name: "interrupted_downloads",
        args: &[],
        returns: "InterruptedDownload[]",
    },
];
