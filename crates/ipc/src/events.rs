use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::StatusSnapshot;

/// Name of the event carrying [`StatusChanged`].
pub const STATUS_CHANGED: &str = "status-changed";

/// Name of the event carrying [`crate::DownloadProgress`].
pub const DOWNLOAD_PROGRESS: &str = "download-progress";

/// Event names, generated into the bindings so the UI never spells them by hand.
pub const EVENTS: &[(&str, &str)] = &[
    ("statusChanged", STATUS_CHANGED),
    ("linkOpened", crate::workflow::LINK_OPENED),
    ("renewalProgress", RENEWAL_PROGRESS),
    ("downloadProgress", DOWNLOAD_PROGRESS),
    ("updateProgress", UPDATE_PROGRESS),
    ("updateAvailable", UPDATE_AVAILABLE),
    ("ordersChanged", ORDERS_CHANGED),
    ("counterChanged", crate::COUNTER_CHANGED),
    ("customerChanged", crate::CUSTOMER_CHANGED),
    ("counterMakingProgress", crate::COUNTER_MAKING_PROGRESS),
    ("counterBatchChanged", crate::COUNTER_BATCH_CHANGED),
    ("counterPaymentChanged", crate::COUNTER_PAYMENT_CHANGED),
];

/// Name of the payload-less event sent when a review finished at the CA: the order
/// lists and an open order reload.
pub const ORDERS_CHANGED: &str = "orders-changed";

/// Name of the event carrying [`crate::UpdateProgress`] while an update downloads.
pub const UPDATE_PROGRESS: &str = "update-progress";

/// Name of the event carrying [`crate::UpdateCheck`] when the check at start found one.
pub const UPDATE_AVAILABLE: &str = "update-available";

/// Name of the event carrying [`crate::RenewalProgress`] (one per renewal step).
pub const RENEWAL_PROGRESS: &str = "renewal-progress";

/// Broadcast whenever the CA connection or token presence changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusChanged {
    pub status: StatusSnapshot,
}
