//! The point's token stock (counter mode, issue 14 item 2).

use certdesk_ipc::{
    IpcError, Stock, StockChangeRequest, StockReceiveRequest, StockReceived, StockRequest,
    StockToken,
};
use tauri::AppHandle;

use crate::counter;

/// The point's counts per model and state, and its tokens as filtered.
#[tauri::command]
pub async fn counter_stock(app: AppHandle, request: StockRequest) -> Result<Stock, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.stock(request.state, &request.model).await?)
}

/// Receives the pasted or scanned serials (one per line) into the point's stock.
#[tauri::command]
pub async fn counter_stock_receive(
    app: AppHandle,
    request: StockReceiveRequest,
) -> Result<StockReceived, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.receive_stock(&request.model, &request.serials, None)
        .await?)
}

/// Spoils or returns a token in stock, with the reason.
#[tauri::command]
pub async fn counter_stock_change(
    app: AppHandle,
    request: StockChangeRequest,
) -> Result<StockToken, IpcError> {
    let c = counter::get(&app).await?;
    Ok(
        c.change_stock(&request.serial, request.state, &request.reason)
            .await?,
    )
}

/// The supervisor's switch: make only onto tokens in the point's stock.
#[tauri::command]
pub async fn counter_stock_required(app: AppHandle, on: bool) -> Result<bool, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.set_stock_required(on).await?.stock_required)
}
