//! Counter mode: the supervisor's numbers (issue 14 item 4) over their operator session.

use certdesk_ca_api::numbers::CounterNumbers;

use crate::{CaClient, Result, seg, with_query};

impl CaClient {
    /// The cases opened at the point from `from` to `to` (YYYY-MM-DD, China time, both
    /// included), each with its stages.
    pub async fn counter_numbers(
        &self,
        point: &str,
        from: &str,
        to: &str,
    ) -> Result<CounterNumbers> {
        let path = with_query(
            &format!("/v1/operator/numbers/{}", seg(point)),
            &[("from", Some(from.into())), ("to", Some(to.into()))],
        );
        self.get(&path, true).await
    }
}
