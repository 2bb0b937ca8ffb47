//! Counter mode: the signed-in operator's point's token stock (库存, issue 14 item 2).

use certdesk_ca_api::stock::{
    ReceiveStock, Stock, StockChange, StockPolicy, StockQuery, StockReceived, StockState,
    StockToken,
};
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, Result, idempotency_key, seg, with_query};

fn path(q: &StockQuery) -> String {
    let pairs = [
        ("state", q.state.map(|s| s.as_str().to_owned())),
        ("model", q.model.clone()),
        ("limit", q.limit.map(|l| l.to_string())),
    ];
    with_query("/v1/operator/stock", &pairs)
}

impl CaClient {
    /// The point's counts per model and state, and its tokens as `q` filters them. A
    /// read, retried.
    pub async fn stock(&self, q: &StockQuery) -> Result<Stock> {
        self.get(&path(q), true).await
    }

    /// Receive tokens into the point's stock; retries reuse `key` (a fresh one when
    /// `None`), so a lost answer does not turn the receipt into "already here".
    pub async fn receive_stock(
        &self,
        req: &ReceiveStock,
        key: Option<&str>,
    ) -> Result<StockReceived> {
        let key = key.map(str::to_string).unwrap_or_else(idempotency_key);
        self.send(
            Method::POST,
            "/v1/operator/stock",
            Body::json(req)?,
            true,
            Some(&key),
            true,
        )
        .await
    }

    /// Spoil or return a token in stock, with the reason. Retried: a repeat after a lost
    /// answer is refused (`invalid_state`) and changes nothing.
    pub async fn change_stock(
        &self,
        serial: &str,
        state: StockState,
        reason: &str,
    ) -> Result<StockToken> {
        let req = StockChange {
            state,
            reason: reason.into(),
        };
        self.send(
            Method::POST,
            &format!("/v1/operator/stock/{}/state", seg(serial)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    /// The supervisor switches whether the point makes only onto its stock. Retried:
    /// setting a switch twice is the same.
    pub async fn set_stock_required(&self, on: bool) -> Result<StockPolicy> {
        let req = StockPolicy { stock_required: on };
        self.send(
            Method::PUT,
            "/v1/operator/stock/policy",
            Body::json(&req)?,
            true,
            None,
            true,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_escaped_into_the_query() {
        let q = StockQuery {
            state: Some(StockState::InStock),
            model: Some("ePass 3003".into()),
            limit: None,
        };
        assert_eq!(
            path(&q),
            "/v1/operator/stock?state=in_stock&model=ePass%203003"
        );
        assert_eq!(path(&StockQuery::default()), "/v1/operator/stock");
    }
}
