//! Draft autosave latency: one `save_field` per keystroke on a real SQLite file
//! (WAL, synchronous=FULL, AES-256-GCM), as the form does while the applicant types.
//! Prints p50/p99; no assertion (timings depend on the machine's disk).
//!
//! `cargo bench -p certdesk-core --bench drafts`

use std::time::{Duration, Instant};

use certdesk_core::drafts::{DraftKey, DraftStore, Field};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = DraftStore::open(&dir.path().join("core.sqlite"), DraftKey::generate())?;
    let id = store.create()?;
    let fields = [
        (Field::CompanyName, "沙箱测试科技有限公司北京分公司"),
        (Field::LegalRepIdNumber, "11010519491231002X"),
        (Field::HandlerPhone, "13912345678"),
        (
            Field::MailingAddress,
            "北京市海淀区中关村南大街示例路1号院2号楼",
        ),
    ];
    let mut samples = Vec::new();
    for round in 0..10 {
        for (field, text) in fields {
            let mut typed = String::new();
            for ch in text.chars() {
                typed.push(ch);
                let t = Instant::now();
                store.save_field(&id, field, &typed)?;
                // The first round warms the page cache and the WAL; not counted.
                if round > 0 {
                    samples.push(t.elapsed());
                }
            }
        }
    }
    samples.sort();
    let mut load = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let d = store.load(&id)?;
        load.push(t.elapsed());
        assert_eq!(d.fields.len(), fields.len());
    }
    load.sort();
    println!(
        "draft autosave (save_field, one transaction, fsync): n={} p50={:.2?} p99={:.2?} max={:.2?}",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or_default(),
    );
    println!(
        "draft load (4 fields, decrypt): n={} p50={:.2?} p99={:.2?}",
        load.len(),
        percentile(&load, 0.50),
        percentile(&load, 0.99),
    );
    Ok(())
}
