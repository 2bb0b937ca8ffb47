//! The steps of a download after pre-flight, each a transition from one state type to
//! the next, journaled before and after it runs.

use base64::Engine as _;
use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::channel::CertificateSet;
use certdesk_ca_api::download::{CertificateStatus, Issuance};
use certdesk_ca_client::CaClient;
use certdesk_token::{
    Envelope, KeyAlgorithm, KeyPurpose, KeySpec, SecretString, TokenRef, TokenService,
};
use der::{Decode, Encode};
use sha2::Digest as _;

use super::errors::{DownloadError, Result};
use super::{
    Authority, Downloaded, Progress, StepPhase, Txn, alg_name, enc_label, fault_point, key_label,
    token_algorithm,
};
use crate::enrollment::debris::{self, clean_strays, keep_journaled_key};
use crate::enrollment::journal::{DownloadStep, Entry, EntryState, Facts, Journal};

/// The transaction's context: the token worker, the journal, the CA, progress.
pub(super) struct Ctx<'a, A> {
    pub(super) svc: &'a TokenService,
    pub(super) journal: &'a mut Journal,
    pub(super) client: CaClient,
    pub(super) auth: &'a A,
    pub(super) req: &'a Txn,
    pub(super) entry_id: i64,
    pub(super) resumed: bool,
    pub(super) progress: &'a mut (dyn FnMut(Progress) + Send),
}

impl<A: Authority> Ctx<'_, A> {
    fn emit(&mut self, step: DownloadStep, phase: StepPhase) {
        (self.progress)(Progress {
            step,
            phase,
            resumed: self.resumed,
        });
    }

    fn begin(&mut self, step: DownloadStep) -> Result<()> {
        self.journal.begin(self.entry_id, step)?;
        self.emit(step, StepPhase::Started);
        fault_point(step, "begin");
        Ok(())
    }

    pub(super) fn end(&mut self, step: DownloadStep, facts: &Facts) -> Result<()> {
        fault_point(step, "op");
        self.journal.end(self.entry_id, step, facts)?;
        self.emit(step, StepPhase::Done);
        fault_point(step, "");
        Ok(())
    }

    /// Removes an interrupted earlier run's debris of the write step `step` and records
    /// what is on the token before it writes (see [`debris`]); returns the temporary
    /// `CKA_ID` for a generation template.
    async fn settle(
        &mut self,
        step: DownloadStep,
        token: &TokenRef,
        label: &str,
    ) -> Result<Vec<u8>> {
        debris::settle::<DownloadError>(
            self.svc,
            self.journal,
            self.entry_id,
            step,
            token,
            &[label.to_string()],
        )
        .await
    }

    fn skip(&mut self, step: DownloadStep) {
        self.emit(step, StepPhase::Skipped);
    }

    /// Runs `f` as step `step`: `failed` is journaled with the error's code.
    async fn failing<T>(&mut self, step: DownloadStep, r: Result<T>) -> Result<T> {
        if let Err(e) = &r {
            let _ = self.journal.failed(self.entry_id, step, e.code());
        }
        r
    }
}

// ---- states -------------------------------------------------------------------------

/// Pre-flight passed: the token and the channel's requirements are known.
pub(super) struct Preflighted {
    pub(super) token: TokenRef,
    pub(super) algorithm: KeyAlgorithm,
    pub(super) dual: bool,
    pub(super) entry: Entry,
}

/// The card authorised this download; the client carries the enrollment token.
struct Authorised {
    pre: Preflighted,
}

struct LoggedIn {
    pre: Preflighted,
}

struct KeyReady {
    pre: Preflighted,
    key_id: String,
}

struct CsrSigned {
    ready: KeyReady,
    csr_pem: String,
}

struct Issued {
    ready: KeyReady,
    issuance: Issuance,
    leaf_der: Vec<u8>,
    chain_der: Vec<Vec<u8>>,
}

struct Written {
    issued: Issued,
}

struct Tested {
    issued: Issued,
}

pub(crate) fn pem_chain(pem: &str) -> Result<Vec<Vec<u8>>> {
    let certs = x509_cert::Certificate::load_pem_chain(pem.as_bytes())
        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?;
    certs
        .iter()
        .map(|c| {
            c.to_der()
                .map_err(|e| DownloadError::BadIssuance(e.to_string()))
        })
        .collect()
}

/// Authorise → login → keygen → CSR → finalize → write → self-test → confirm.
pub(super) async fn run<A: Authority>(
    ctx: &mut Ctx<'_, A>,
    pre: Preflighted,
) -> Result<Downloaded> {
    let authorised = match authorise(ctx, pre).await? {
        Authorisation::Ready(a) => *a,
        Authorisation::AlreadyConfirmed(done) => return Ok(*done),
    };
    let logged_in = login(ctx, authorised).await?;
    let ready = keygen(ctx, logged_in).await?;
    let signed = csr(ctx, ready).await?;
    let issued = finalize(ctx, signed).await?;
    let written = write(ctx, issued).await?;
    let tested = self_test(ctx, written).await?;
    confirm(ctx, tested).await
}

enum Authorisation {
    Ready(Box<Authorised>),
    AlreadyConfirmed(Box<Downloaded>),
}

async fn authorise<A: Authority>(ctx: &mut Ctx<'_, A>, pre: Preflighted) -> Result<Authorisation> {
    ctx.begin(DownloadStep::Authorise)?;
    let r = ctx.auth.authorise(&ctx.client).await;
    let enrollment = match r {
        Ok(e) => e,
        Err(DownloadError::Ca(e))
            if ctx.resumed
                && pre.entry.cert_serial.is_some()
                && e.code().is_some_and(|c| ctx.auth.spent(c)) =>
        {
            // `confirm` may have reached the CA before the crash.
            if let Some(done) = confirmed_before(ctx, &pre).await? {
                return Ok(Authorisation::AlreadyConfirmed(Box::new(done)));
            }
            return ctx.failing(DownloadStep::Authorise, Err(e.into())).await;
        }
        Err(e) => return ctx.failing(DownloadStep::Authorise, Err(e)).await,
    };
    if token_algorithm(enrollment.key_algorithm) != pre.algorithm
        || (enrollment.certificate_set == CertificateSet::Dual) != pre.dual
    {
        let e = DownloadError::BadIssuance(
            "the CA authorised a different algorithm or certificate set than the look-up said"
                .into(),
        );
        return ctx.failing(DownloadStep::Authorise, Err(e)).await;
    }
    ctx.client
        .set_token(Some(SecretString::from(enrollment.token.clone())));
    ctx.end(DownloadStep::Authorise, &Facts::default())?;
    Ok(Authorisation::Ready(Box::new(Authorised { pre })))
}

/// After a crash between the CA's answer to `confirm` and the journal's record of it.
async fn confirmed_before<A: Authority>(
    ctx: &mut Ctx<'_, A>,
    pre: &Preflighted,
) -> Result<Option<Downloaded>> {
    let Some(serial) = pre.entry.cert_serial.clone() else {
        return Ok(None);
    };
    let record = ctx.client.certificate(&serial).await?;
    if record.application_id != ctx.req.application_id || record.status != CertificateStatus::Valid
    {
        return Ok(None);
    }
    let on_token = ctx
        .svc
        .list_certificates(pre.token.clone())
        .await?
        .into_iter()
        .find(|c| c.serial.trim_start_matches('0') == serial.trim_start_matches('0'));
    let Some(cert) = on_token else {
        return Ok(None);
    };
    if !cert.has_public_key {
        return Ok(None);
    }
    ctx.journal.finish(ctx.entry_id, EntryState::Confirmed)?;
    ctx.skip(DownloadStep::Confirm);
    Ok(Some(Downloaded {
        application_id: ctx.req.application_id.clone(),
        token: pre.token.clone(),
        key_id: cert.id,
        certificate_serial: serial,
        subject: cert.subject,
        issuer: cert.issuer,
        not_before: cert.not_before,
        not_after: cert.not_after,
        key_algorithm: alg_name(pre.algorithm).into(),
        chain_len: 0,
        encryption_certificate_serial: pre.entry.enc_cert_serial.clone(),
        resumed: true,
        already_on_token: false,
        journal_id: ctx.entry_id,
    }))
}

async fn login<A: Authority>(ctx: &mut Ctx<'_, A>, a: Authorised) -> Result<LoggedIn> {
    ctx.begin(DownloadStep::Login)?;
    let r = ctx
        .svc
        .login(
            a.pre.token.clone(),
            ctx.req.pin.clone(),
            ctx.req.confirm_final_pin_try,
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(DownloadStep::Login, r).await?;
    ctx.end(DownloadStep::Login, &Facts::default())?;
    Ok(LoggedIn { pre: a.pre })
}

async fn keygen<A: Authority>(ctx: &mut Ctx<'_, A>, l: LoggedIn) -> Result<KeyReady> {
    let label = key_label(&ctx.req.application_id);
    let token = l.pre.token.clone();
    let journaled = ctx
        .journal
        .get(ctx.entry_id)?
        .and_then(|e| e.key_id)
        .filter(|s| !s.is_empty());
    let keep = keep_journaled_key(ctx.svc, &token, &label, journaled.as_deref()).await?;
    if let Some(key_id) = keep {
        ctx.skip(DownloadStep::Keygen);
        return Ok(KeyReady { pre: l.pre, key_id });
    }
    if journaled.is_some() {
        // The journaled key is gone from the token (wiped?): a new key is needed; the CA
        // refuses it if it already issued for the old one.
        ctx.journal.clear_key(ctx.entry_id)?;
    }
    let tag = ctx.settle(DownloadStep::Keygen, &token, &label).await?;
    ctx.begin(DownloadStep::Keygen)?;
    let spec = KeySpec {
        algorithm: l.pre.algorithm,
        purpose: if l.pre.dual {
            KeyPurpose::SigningWithEnvelope
        } else {
            KeyPurpose::Signing
        },
        label,
        // The CA builds the subject from the vetted application and says it only with
        // the certificate: the certificate write sets it on the keys.
        subject: None,
    };
    let r = ctx
        .svc
        .generate_key_pair_tagged(token, spec, tag)
        .await
        .map_err(DownloadError::from);
    let key = ctx.failing(DownloadStep::Keygen, r).await?;
    ctx.end(
        DownloadStep::Keygen,
        &Facts {
            key_id: Some(key.id.clone()),
            ..Facts::default()
        },
    )?;
    Ok(KeyReady {
        pre: l.pre,
        key_id: key.id,
    })
}

async fn csr<A: Authority>(ctx: &mut Ctx<'_, A>, ready: KeyReady) -> Result<CsrSigned> {
    ctx.begin(DownloadStep::Csr)?;
    // The CA takes the subject from the vetted application, never from the CSR.
    let subject = format!("CN={}", ctx.req.application_id);
    let r = ctx
        .svc
        .create_csr(ready.pre.token.clone(), ready.key_id.clone(), subject)
        .await
        .map_err(DownloadError::from);
    let csr = ctx.failing(DownloadStep::Csr, r).await?;
    ctx.end(
        DownloadStep::Csr,
        &Facts {
            csr_sha256: Some(hex::encode(sha2::Sha256::digest(&csr.der))),
            ..Facts::default()
        },
    )?;
    Ok(CsrSigned {
        ready,
        csr_pem: csr.pem,
    })
}

async fn finalize<A: Authority>(ctx: &mut Ctx<'_, A>, s: CsrSigned) -> Result<Issued> {
    ctx.begin(DownloadStep::Finalize)?;
    let r = async {
        let issuance = ctx.client.finalize(&s.csr_pem).await.map_err(|e| {
            if e.code() == Some(ProblemCode::IssuedForAnotherKey) {
                DownloadError::KeyLost
            } else {
                e.into()
            }
        })?;
        let leaf = pem_chain(&issuance.certificate_pem)?;
        let leaf_der = leaf
            .into_iter()
            .next()
            .ok_or_else(|| DownloadError::BadIssuance("no certificate".into()))?;
        let chain_der = pem_chain(&issuance.chain_pem)?;
        Ok::<_, DownloadError>((issuance, leaf_der, chain_der))
    }
    .await;
    let (issuance, leaf_der, chain_der) = ctx.failing(DownloadStep::Finalize, r).await?;
    ctx.end(
        DownloadStep::Finalize,
        &Facts {
            cert_serial: Some(issuance.serial.clone()),
            enc_cert_serial: issuance.encryption.as_ref().map(|e| e.serial.clone()),
            ..Facts::default()
        },
    )?;
    Ok(Issued {
        ready: s.ready,
        issuance,
        leaf_der,
        chain_der,
    })
}

async fn write<A: Authority>(ctx: &mut Ctx<'_, A>, issued: Issued) -> Result<Written> {
    let token = issued.ready.pre.token.clone();
    ctx.settle(
        DownloadStep::WriteCertificate,
        &token,
        &key_label(&ctx.req.application_id),
    )
    .await?;
    ctx.begin(DownloadStep::WriteCertificate)?;
    let r = ctx
        .svc
        .write_certificate(
            token.clone(),
            issued.leaf_der.clone(),
            issued.chain_der.clone(),
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(DownloadStep::WriteCertificate, r).await?;
    ctx.end(DownloadStep::WriteCertificate, &Facts::default())?;

    if let Some(enc) = issued.issuance.encryption.clone() {
        let enc_der = pem_chain(&enc.certificate_pem)?
            .into_iter()
            .next()
            .ok_or_else(|| DownloadError::BadIssuance("no encryption certificate".into()))?;
        let already = ctx
            .svc
            .list_certificates(token.clone())
            .await?
            .into_iter()
            .any(|c| c.der == enc_der && c.has_private_key == Some(true));
        if already {
            ctx.skip(DownloadStep::ImportEnvelope);
        } else {
            let label = enc_label(&ctx.req.application_id);
            clean_strays(ctx.svc, &token, &label, None).await?;
            ctx.settle(DownloadStep::ImportEnvelope, &token, &label)
                .await?;
            ctx.begin(DownloadStep::ImportEnvelope)?;
            let b64 = base64::engine::general_purpose::STANDARD;
            let r = async {
                let envelope = Envelope {
                    signing_key_id: issued.ready.key_id.clone(),
                    wrapped_aes_key: b64
                        .decode(&enc.wrapped_aes_key)
                        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?,
                    wrapped_private_key: b64
                        .decode(&enc.wrapped_private_key)
                        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?,
                    encryption_certificate: enc_der,
                    label,
                };
                Ok::<_, DownloadError>(ctx.svc.import_envelope(token.clone(), envelope).await?)
            }
            .await;
            ctx.failing(DownloadStep::ImportEnvelope, r).await?;
            ctx.end(DownloadStep::ImportEnvelope, &Facts::default())?;
        }
    }
    Ok(Written { issued })
}

async fn self_test<A: Authority>(ctx: &mut Ctx<'_, A>, w: Written) -> Result<Tested> {
    ctx.begin(DownloadStep::SelfTest)?;
    let r = ctx
        .svc
        .self_test(
            w.issued.ready.pre.token.clone(),
            w.issued.ready.key_id.clone(),
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(DownloadStep::SelfTest, r).await?;
    ctx.end(DownloadStep::SelfTest, &Facts::default())?;
    Ok(Tested { issued: w.issued })
}

async fn confirm<A: Authority>(ctx: &mut Ctx<'_, A>, t: Tested) -> Result<Downloaded> {
    ctx.begin(DownloadStep::Confirm)?;
    let r = ctx
        .client
        .confirm_download()
        .await
        .map_err(DownloadError::from);
    ctx.failing(DownloadStep::Confirm, r).await?;
    fault_point(DownloadStep::Confirm, "op");
    ctx.journal.finish(ctx.entry_id, EntryState::Confirmed)?;
    ctx.end(DownloadStep::Confirm, &Facts::default())?;
    let issued = t.issued;
    let cert = x509_cert::Certificate::from_der(&issued.leaf_der)
        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?;
    let tbs = cert.tbs_certificate();
    Ok(Downloaded {
        application_id: ctx.req.application_id.clone(),
        token: issued.ready.pre.token.clone(),
        key_id: issued.ready.key_id.clone(),
        certificate_serial: issued.issuance.serial.clone(),
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        not_before: tbs.validity().not_before.to_string(),
        not_after: tbs.validity().not_after.to_string(),
        key_algorithm: alg_name(issued.ready.pre.algorithm).into(),
        chain_len: issued.chain_der.len(),
        encryption_certificate_serial: issued.issuance.encryption.map(|e| e.serial),
        resumed: ctx.resumed,
        already_on_token: false,
        journal_id: ctx.entry_id,
    })
}
