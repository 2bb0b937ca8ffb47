//! PC/SC presence against a private pcscd with the vpcd virtual reader and `vicc`
//! virtual cards: insert, remove, and the smart-card service stopping and restarting.
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::pcsc::{Pcscd, VirtualCard};
use certdesk_token::*;
use common::next_event;

fn card_in(reader: &str) -> impl Fn(&PresenceEvent) -> bool + '_ {
    move |e| matches!(e, PresenceEvent::TokenInserted(PresenceSource::Pcsc { reader: r, atr }) if r == reader && !atr.is_empty())
}

fn card_out(reader: &str) -> impl Fn(&PresenceEvent) -> bool + '_ {
    move |e| matches!(e, PresenceEvent::TokenRemoved(PresenceSource::Pcsc { reader: r, .. }) if r == reader)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcsc_insert_remove_and_service_restart() {
    let mut pcscd = Pcscd::start().unwrap();
    // SAFETY: single-test binary; set before any PC/SC call.
    unsafe { pcscd.install_env() };
    let reader = pcscd.reader_name();
    let svc = TokenService::start().unwrap();
    let mut rx = svc.subscribe();
    let watcher = svc.watch_pcsc(PresenceConfig::default()).unwrap();
    next_event(&mut rx, |e| {
        matches!(e, PresenceEvent::PcscService { available: true })
    })
    .await;

    let card = VirtualCard::insert(pcscd.vpcd_port()).unwrap();
    next_event(&mut rx, card_in(reader)).await;
    card.remove();
    next_event(&mut rx, card_out(reader)).await;

    // The service stops with a card inserted: the card is reported gone, then found
    // again when the service is back, without restarting the watcher.
    let card = VirtualCard::insert(pcscd.vpcd_port()).unwrap();
    next_event(&mut rx, card_in(reader)).await;
    pcscd.stop();
    next_event(&mut rx, card_out(reader)).await;
    next_event(&mut rx, |e| {
        matches!(e, PresenceEvent::PcscService { available: false })
    })
    .await;
    drop(card);
    pcscd.restart().unwrap();
    next_event(&mut rx, |e| {
        matches!(e, PresenceEvent::PcscService { available: true })
    })
    .await;
    let card = VirtualCard::insert(pcscd.vpcd_port()).unwrap();
    next_event(&mut rx, card_in(reader)).await;
    drop(card);
    next_event(&mut rx, card_out(reader)).await;
    watcher.stop();
}
