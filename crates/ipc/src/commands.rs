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
