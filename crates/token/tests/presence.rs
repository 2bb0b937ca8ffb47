//! PC/SC presence against a private pcscd with the vpcd virtual reader and `vicc`
//! virtual cards: insert, remove, the smart-card service stopping and restarting, and a
//! card change waking the PKCS#11 poller between its polls.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use certdesk_testkit::pcsc::{GatedCard, Pcscd, VirtualCard};
use certdesk_testkit::softhsm::SoftHsm;
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
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: as above.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("PRESENCE", "12345678", "87654321").unwrap();
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

    // A PKCS#11 poller with a poll period far beyond the test's time: a token that
    // leaves its module is seen only because a card coming into a reader wakes the
    // poller (a USB token that is also a CCID reader changes both at once), and that
    // look is published without waiting for a second one.
    let module = SoftHsm::module().unwrap();
    let slow = PresenceConfig {
        poll_interval: Duration::from_secs(3600),
        ..Default::default()
    };
    let poller = svc.watch_module(module, slow).unwrap();
    let ours = |inserted: bool| {
        let serial = serial.clone();
        move |e: &PresenceEvent| match e {
            PresenceEvent::TokenInserted(PresenceSource::Pkcs11 { token, .. }) if inserted => {
                token.serial == serial
            }
            PresenceEvent::TokenRemoved(PresenceSource::Pkcs11 { token, .. }) if !inserted => {
                token.serial == serial
            }
            _ => false,
        }
    };
    next_event(&mut rx, ours(true)).await;
    hsm.unplug().unwrap();
    let gated = GatedCard::start(pcscd.vpcd_port()).unwrap();
    let card = gated.insert().unwrap();
    next_event(&mut rx, card_in(reader)).await;
    next_event(&mut rx, ours(false)).await;
    hsm.replug().unwrap();
    card.remove();
    next_event(&mut rx, card_out(reader)).await;
    next_event(&mut rx, ours(true)).await;
    poller.stop();
    watcher.stop();
}
