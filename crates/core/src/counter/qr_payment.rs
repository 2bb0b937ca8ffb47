//! The counter's WeChat Pay / Alipay payment (issue 13 item 4): the provider's QR code is
//! shown to the applicant on the customer window, and followed at the CA until the
//! applicant has paid, the code expired, or the window was given to something else.

use std::time::{Duration, Instant};

use certdesk_ca_api::counter::CounterPayment;
use certdesk_ca_api::payment::PaymentStatus;

use super::cases::{CaseError, CaseNumber, Cases};
use super::customer::{CustomerDesk, CustomerScreen};

/// How often the CA is asked: the online payment page's own interval.
const POLL: Duration = Duration::from_secs(2);
/// Never longer than this, whatever the CA's expiry says (its codes live 15 minutes).
const LONGEST: Duration = Duration::from_secs(30 * 60);

impl Cases<'_> {
    /// Shows `payment`'s QR code on the customer window and follows it: paid → the window
    /// says so and the paid payment is answered; expired → the welcome again. An operator
    /// who withdraws the code, or making that takes the window, ends the following with
    /// the payment as last seen. The CA being unreachable for a while is waited out; the
    /// session ending (the counter locked) withdraws the code. Polling does not count as
    /// the operator's activity, so it never holds off the idle lock.
    pub async fn follow_qr_payment(
        &self,
        desk: &CustomerDesk,
        payment: CounterPayment,
    ) -> Result<CounterPayment, CaseError> {
        let Some(provider) = payment.payment.clone() else {
            // POS and cash are settled when recorded: nothing to show.
            return Ok(payment);
        };
        let case = CaseNumber::parse(&payment.case_id)?;
        let shown = CustomerScreen::Pay {
            provider: provider.provider,
            amount_fen: provider.amount_fen,
            qr: crate::qr::svg_data_url(&provider.code_url)?,
            expires_at: provider.expires_at.clone(),
        };
        desk.show(shown.clone());
        let started = Instant::now();
        let mut last = payment;
        loop {
            tokio::time::sleep(POLL).await;
            if desk.screen() != shown {
                return Ok(last);
            }
            if started.elapsed() > LONGEST {
                desk.show(CustomerScreen::Welcome);
                return Ok(last);
            }
            let client = match self.counter.session_client() {
                Ok(c) => c,
                Err(e) => {
                    desk.show(CustomerScreen::Welcome);
                    return Err(e.into());
                }
            };
            let seen = match client.counter_payments(case.as_str()).await {
                Ok(list) => list.items.into_iter().find(|p| p.id == last.id),
                Err(e) if e.is_transient() => continue,
                Err(e) => {
                    desk.show(CustomerScreen::Welcome);
                    return Err(self.refused(e).await);
                }
            };
            let Some(seen) = seen else { continue };
            last = seen;
            // The window may have been taken while the CA answered.
            if desk.screen() != shown {
                return Ok(last);
            }
            match last.status {
                PaymentStatus::Pending => {}
                PaymentStatus::Paid => {
                    desk.show(CustomerScreen::Paid {
                        amount_fen: last.amount_fen,
                    });
                    return Ok(last);
                }
                PaymentStatus::Expired => {
                    desk.show(CustomerScreen::Welcome);
                    return Ok(last);
                }
            }
        }
    }
}
