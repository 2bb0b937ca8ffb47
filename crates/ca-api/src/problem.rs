//! RFC 9457 problem details with a closed set of machine codes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Stable machine-readable error code. Clients match on this, never on titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// Request body or parameters failed validation; see `errors`.
    ValidationFailed,
    /// The JSON body could not be parsed.
    MalformedRequest,
    Unauthorized,
    NotFound,
    /// Same Idempotency-Key reused with a different body.
    IdempotencyKeyReused,
    /// If-Match header missing on an edit.
    PreconditionRequired,
    /// If-Match does not match the current ETag.
    PreconditionFailed,
    /// The application is not in a state that allows this action.
    InvalidState,
    /// Another unfinished application exists for the same organisation identity number.
    DuplicateApplication,
    CaptchaInvalid,
    OtpInvalid,
    OtpExpired,
    /// Too many wrong codes: locked for a while.
    LockedOut,
    RateLimited,
    /// Registry, phone/bank-card check or face check disagreed with the given facts.
    VerificationFailed,
    /// The body is larger than this endpoint takes.
    PayloadTooLarge,
    /// A JSON body without `Content-Type: application/json`, or a file of another type.
    UnsupportedMediaType,
    /// No such method on this path.
    MethodNotAllowed,
    /// The request took longer than the service allows.
    RequestTimeout,
    /// A third-party provider (SMS, registry, identity check…) did not answer.
    ProviderUnavailable,
    BadSignature,
    PaymentExpired,
    /// A requirement that must be valid before this step is not.
    RequirementsUnmet,
    PasswordCardInvalid,
    PasswordCardLocked,
    /// The password card already authorised a finished download; it is spent.
    PasswordCardUsed,
    /// This application's certificate was issued for a key other than the CSR's: the
    /// key is lost (another token, wiped); a reissue (补办) is needed.
    IssuedForAnotherKey,
    CsrInvalid,
    CsrRejected,
    /// Signed in, but none of the caller's roles allows this (or another point's data).
    Forbidden,
    /// Whoever entered or changed a case cannot approve or reject it.
    SeparationOfDuties,
    /// The sign-in challenge is unknown, used or expired: ask for a new one.
    ChallengeInvalid,
    /// Not an operator certificate of this CA, revoked, or its operator is revoked.
    OperatorCertificateInvalid,
    /// A valid signature by an operator whose certificate or registration is revoked.
    OperatorRevoked,
    /// The order is being served at another point (its case there is open).
    CaseElsewhere,
    /// Something with this id exists already.
    AlreadyExists,
    /// The case's certificate is already on a token (the detail names it): nothing to make.
    AlreadyMade,
    /// The point requires its own stock and the token is not in it (not received, or
    /// made, spoiled or returned already).
    TokenNotInStock,
    /// A daily close is signed only when every difference carries an explanation.
    DifferencesUnexplained,
    NotImplemented,
    Internal,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::ValidationFailed => "validation_failed",
            ProblemCode::MalformedRequest => "malformed_request",
            ProblemCode::Unauthorized => "unauthorized",
            ProblemCode::NotFound => "not_found",
            ProblemCode::IdempotencyKeyReused => "idempotency_key_reused",
            ProblemCode::PreconditionRequired => "precondition_required",
            ProblemCode::PreconditionFailed => "precondition_failed",
            ProblemCode::InvalidState => "invalid_state",
            ProblemCode::DuplicateApplication => "duplicate_application",
            ProblemCode::CaptchaInvalid => "captcha_invalid",
            ProblemCode::OtpInvalid => "otp_invalid",
            ProblemCode::OtpExpired => "otp_expired",
            ProblemCode::LockedOut => "locked_out",
            ProblemCode::RateLimited => "rate_limited",
            ProblemCode::VerificationFailed => "verification_failed",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::RequestTimeout => "request_timeout",
            ProblemCode::ProviderUnavailable => "provider_unavailable",
            ProblemCode::BadSignature => "bad_signature",
            ProblemCode::PaymentExpired => "payment_expired",
            ProblemCode::RequirementsUnmet => "requirements_unmet",
            ProblemCode::PasswordCardInvalid => "password_card_invalid",
            ProblemCode::PasswordCardLocked => "password_card_locked",
            ProblemCode::PasswordCardUsed => "password_card_used",
            ProblemCode::IssuedForAnotherKey => "issued_for_another_key",
            ProblemCode::CsrInvalid => "csr_invalid",
            ProblemCode::CsrRejected => "csr_rejected",
            ProblemCode::Forbidden => "forbidden",
            ProblemCode::SeparationOfDuties => "separation_of_duties",
            ProblemCode::ChallengeInvalid => "challenge_invalid",
            ProblemCode::OperatorCertificateInvalid => "operator_certificate_invalid",
            ProblemCode::OperatorRevoked => "operator_revoked",
            ProblemCode::CaseElsewhere => "case_elsewhere",
            ProblemCode::AlreadyExists => "already_exists",
            ProblemCode::AlreadyMade => "already_made",
            ProblemCode::TokenNotInStock => "token_not_in_stock",
            ProblemCode::DifferencesUnexplained => "differences_unexplained",
            ProblemCode::NotImplemented => "not_implemented",
            ProblemCode::Internal => "internal",
        }
    }

    /// HTTP status this code is always sent with.
    pub fn status(self) -> u16 {
        match self {
            ProblemCode::ValidationFailed
            | ProblemCode::IdempotencyKeyReused
            | ProblemCode::VerificationFailed
            | ProblemCode::CaptchaInvalid
            | ProblemCode::OtpInvalid
            | ProblemCode::OtpExpired
            | ProblemCode::CsrInvalid
            | ProblemCode::CsrRejected
            | ProblemCode::PasswordCardInvalid
            | ProblemCode::DifferencesUnexplained => 422,
            ProblemCode::MalformedRequest => 400,
            ProblemCode::Unauthorized
            | ProblemCode::BadSignature
            | ProblemCode::ChallengeInvalid
            | ProblemCode::OperatorCertificateInvalid
            | ProblemCode::OperatorRevoked => 401,
            ProblemCode::Forbidden | ProblemCode::SeparationOfDuties => 403,
            ProblemCode::NotFound => 404,
            ProblemCode::PreconditionRequired => 428,
            ProblemCode::PreconditionFailed => 412,
            ProblemCode::InvalidState
            | ProblemCode::DuplicateApplication
            | ProblemCode::RequirementsUnmet
            | ProblemCode::PaymentExpired
            | ProblemCode::PasswordCardUsed
            | ProblemCode::IssuedForAnotherKey
            | ProblemCode::AlreadyExists
            | ProblemCode::AlreadyMade
            | ProblemCode::TokenNotInStock
            | ProblemCode::CaseElsewhere => 409,
            ProblemCode::LockedOut | ProblemCode::RateLimited | ProblemCode::PasswordCardLocked => {
                429
            }
            ProblemCode::PayloadTooLarge => 413,
            ProblemCode::UnsupportedMediaType => 415,
            ProblemCode::MethodNotAllowed => 405,
            ProblemCode::RequestTimeout => 408,
            ProblemCode::ProviderUnavailable => 502,
            ProblemCode::NotImplemented => 501,
            ProblemCode::Internal => 500,
        }
    }

    /// (Chinese title, English title).
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            ProblemCode::ValidationFailed => ("填写的信息有误", "Validation failed"),
            ProblemCode::MalformedRequest => ("请求格式错误", "Malformed request"),
            ProblemCode::Unauthorized => ("请先登录", "Sign-in required"),
            ProblemCode::NotFound => ("未找到", "Not found"),
            ProblemCode::IdempotencyKeyReused => (
                "重复请求的内容不一致",
                "Idempotency key reused with another body",
            ),
            ProblemCode::PreconditionRequired => ("缺少版本标记", "If-Match header required"),
            ProblemCode::PreconditionFailed => (
                "订单已被修改，请刷新后重试",
                "Application changed since it was read",
            ),
            ProblemCode::InvalidState => ("当前订单状态不允许此操作", "Not allowed in this state"),
            ProblemCode::DuplicateApplication => (
                "该证件号已有未完成订单，请先取消",
                "An unfinished application already exists",
            ),
            ProblemCode::CaptchaInvalid => ("图形验证码错误", "Wrong captcha"),
            ProblemCode::OtpInvalid => ("短信验证码错误", "Wrong one-time code"),
            ProblemCode::OtpExpired => ("短信验证码已过期", "One-time code expired"),
            ProblemCode::LockedOut => ("错误次数过多，请稍后再试", "Too many wrong attempts"),
            ProblemCode::RateLimited => ("操作过于频繁，请稍后再试", "Too many requests"),
            ProblemCode::VerificationFailed => ("核验未通过", "Verification failed"),
            ProblemCode::PayloadTooLarge => ("提交的内容过大", "Request body too large"),
            ProblemCode::UnsupportedMediaType => ("内容类型不支持", "Unsupported media type"),
            ProblemCode::MethodNotAllowed => ("不支持此请求方法", "Method not allowed"),
            ProblemCode::RequestTimeout => ("请求超时，请重试", "Request timed out"),
            ProblemCode::ProviderUnavailable => (
                "第三方服务暂不可用，请稍后再试",
                "A third-party provider is unavailable",
            ),
            ProblemCode::BadSignature => ("签名无效", "Bad signature"),
            ProblemCode::PaymentExpired => ("支付已过期", "Payment expired"),
            ProblemCode::RequirementsUnmet => ("前置步骤未完成", "Earlier steps are not complete"),
            ProblemCode::PasswordCardInvalid => ("密码卡信息错误", "Password card details wrong"),
            ProblemCode::PasswordCardLocked => ("密码卡已锁定", "Password card locked"),
            ProblemCode::PasswordCardUsed => ("密码卡已使用", "Password card already used"),
            ProblemCode::IssuedForAnotherKey => (
                "证书已为另一密钥签发",
                "Certificate already issued for another key",
            ),
            ProblemCode::CsrInvalid => ("证书请求无效", "Invalid certificate request"),
            ProblemCode::CsrRejected => ("证书请求不符合要求", "Certificate request refused"),
            ProblemCode::Forbidden => ("无权执行此操作", "Not permitted"),
            ProblemCode::SeparationOfDuties => (
                "录入或修改过此案件的操作员不能审核它",
                "Whoever entered or changed the case cannot review it",
            ),
            ProblemCode::ChallengeInvalid => (
                "登录挑战无效或已过期，请重新登录",
                "Sign-in challenge unknown, used or expired",
            ),
            ProblemCode::OperatorCertificateInvalid => (
                "操作员证书无效或已吊销",
                "Not a valid operator certificate of this CA",
            ),
            ProblemCode::OperatorRevoked => (
                "操作员证书已吊销，请联系主管",
                "The operator certificate is revoked",
            ),
            ProblemCode::CaseElsewhere => (
                "该订单正在其他受理点办理",
                "The order is being served at another point",
            ),
            ProblemCode::AlreadyExists => ("已存在", "Already exists"),
            ProblemCode::AlreadyMade => (
                "该业务的证书已写入 USBKey，无需重新制证",
                "The certificate is already on a token",
            ),
            ProblemCode::TokenNotInStock => (
                "该 USBKey 不在本受理点的库存中，不能用于制证",
                "The token is not in this point's stock",
            ),
            ProblemCode::DifferencesUnexplained => {
                ("差异尚未全部说明", "Every difference needs an explanation")
            }
            ProblemCode::NotImplemented => ("暂不支持", "Not implemented"),
            ProblemCode::Internal => ("服务内部错误", "Internal error"),
        }
    }
}

/// One field's problem. `kind` is stable (e.g. the `certdesk-ident` kinds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldError {
    /// JSON pointer-ish field path, e.g. `enterprise.uscc`.
    pub field: String,
    pub kind: String,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: &str, kind: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            kind: kind.to_string(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// Maps an identity-number problem without echoing the value.
    pub fn from_ident(field: &str, e: &certdesk_ident::IdentError) -> Self {
        Self::new(field, e.kind(), e.message_zh(), e.to_string())
    }
}

/// `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// URI naming the problem type: `urn:certdesk:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// English title.
    pub title: String,
    /// Chinese title.
    pub title_zh: String,
    pub status: u16,
    pub code: ProblemCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The existing application, for `duplicate_application`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_application_id: Option<String>,
    /// Seconds to wait, for 429s (also in `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(code: ProblemCode) -> Self {
        let (zh, en) = code.titles();
        Self {
            type_uri: format!("urn:certdesk:problem:{}", code.as_str()),
            title: en.to_string(),
            title_zh: zh.to_string(),
            status: code.status(),
            code,
            detail: None,
            errors: Vec::new(),
            existing_application_id: None,
            retry_after: None,
        }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    pub fn field_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.title, self.code.as_str())?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}
