//! The supervisor's numbers (issue 14 item 4) in the real window: two walk-ins of point
//! BJ01 are served and approved through the CA's operator API (a clerk and a reviewer,
//! as ready-made input); the point's supervisor, who also makes keys, makes one of them
//! in a batch of one on SoftHSM2 in the app, picked from a pasted list of order numbers
//! (an entry that names no approved case is listed back). 受理数据 then shows both cases, the stage
//! times by operator and the making time by token model (as the token named itself),
//! drawn by Chart.js on canvases that hold pixels, with the same figures in tables; a
//! range backwards is refused in the supervisor's language, the range typed kept; the
//! CSV export is read back. Screens in zh-CN and en.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::staff_api::{approved_case, sessions_by_name};
use common::counter::{
    add_point, counter_mode_on, launch_saving, operator_on_token, scroll_to, sign_in,
    submitted_order,
};
use common::{Env, set_language};

/// Pixels Chart.js drew on the chart's canvas (not transparent).
async fn drawn(app: &App, testid: &str) -> u64 {
    let js = format!(
        "const c = document.querySelector('[data-testid={testid}] canvas');
         if (!c || c.width === 0) return 0;
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
         return n;"
    );
    app.client
        .execute(&js, vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0)
}

/// Sets a date input as a person picking a day would (WebKit's date field takes no
/// typed keys through WebDriver).
async fn pick_day(app: &App, testid: &str, day: &str) {
    let js = format!(
        "const i = document.querySelector('[data-testid={testid}]');
         i.value = '{day}'; i.dispatchEvent(new Event('input', {{bubbles: true}}));"
    );
    app.client.execute(&js, vec![]).await.unwrap();
}

#[tokio::test]
async fn the_supervisor_reads_stage_times_charts_them_and_exports_csv() {
    let env = Env::start();
    add_point(&env);
    let staff_hsm = SoftHsm::new().unwrap();
    let hsm = SoftHsm::new().unwrap();
    let clerk_id = operator_on_token(&env, &staff_hsm, "王受理", &["clerk"]);
    operator_on_token(&env, &staff_hsm, "李审核", &["reviewer"]);
    operator_on_token(&env, &hsm, "周主管", &["maker", "supervisor"]);
    // SAFETY: before this process loads any PKCS#11 module or starts a thread that reads it.
    unsafe { staff_hsm.install_env() };
    let staff = sessions_by_name(&env).await;
    let (clerk, reviewer) = (&staff["王受理"], &staff["李审核"]);
    let mut cases = Vec::new();
    for _ in 0..2 {
        let (_, persona, order) = submitted_order(&env).await;
        cases.push(approved_case(clerk, reviewer, &order.id, &persona.handler.id_number).await);
    }

    let saves = tempfile::tempdir().unwrap();
    let app = launch_saving(&env, &hsm, saves.path()).await;
    counter_mode_on(&app).await;
    sign_in(&app, "周主管").await;

    // One case made in a batch of one, on the blank token beside the supervisor's,
    // picked from a pasted list of order numbers (one of them no approved case's).
    app.click("counter-view-batch").await.unwrap();
    app.click("batch-import-open").await.unwrap();
    let order = cases[0].application.number.clone();
    common::type_into(&app, "batch-list", &format!("{order}\u{E007}202612079999")).await;
    app.click("batch-list-pick").await.unwrap();
    let result = app.text("[data-testid=batch-list-result]").await.unwrap();
    assert!(
        result.contains("已勾选 1 件") && result.contains("202612079999"),
        "{result}"
    );
    let ticked = app
        .by_testid(&format!("batch-pick-{}", cases[0].id))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"));
    app.screenshot("counter-batch-list-zh-CN").await.unwrap();
    app.click("batch-create").await.unwrap();
    app.wait_for("[data-testid=batch-item-0]").await.unwrap();
    app.click("batch-run").await.unwrap();
    certdesk_e2e::eventually(
        "the case made",
        std::time::Duration::from_secs(60),
        || async {
            let s = app
                .by_testid("batch-item-0")
                .await
                .ok()?
                .attr("data-state")
                .await
                .ok()??;
            (s == "made").then_some(())
        },
    )
    .await
    .unwrap();

    // 受理数据, for the last seven days.
    app.click("counter-view-numbers").await.unwrap();
    app.wait_text("[data-testid=numbers-cases]", |t| t.trim() == "2")
        .await
        .unwrap();
    assert_eq!(
        app.text("[data-testid=numbers-finished]")
            .await
            .unwrap()
            .trim(),
        "1"
    );
    let verifying = app
        .text("[data-testid=numbers-stage-verifying]")
        .await
        .unwrap();
    assert!(
        verifying.starts_with("核验") && verifying.contains('2'),
        "{verifying}"
    );
    let making = app
        .text("[data-testid=numbers-stage-making]")
        .await
        .unwrap();
    assert!(making.contains("制证"), "{making}");
    let clerk_row = app
        .text(&format!("[data-testid=numbers-operator-{clerk_id}]"))
        .await
        .unwrap();
    assert!(clerk_row.contains("王受理"), "{clerk_row}");
    // The model the token reported when it was made on.
    let models = app.text("[data-testid=numbers-models]").await.unwrap();
    assert!(models.contains("SoftHSM"), "{models}");
    for chart in [
        "numbers-chart-operators",
        "numbers-chart-models",
        "numbers-chart-hours",
    ] {
        let px = certdesk_e2e::eventually(chart, std::time::Duration::from_secs(10), || async {
            let n = drawn(&app, chart).await;
            (n > 500).then_some(n)
        })
        .await
        .unwrap();
        assert!(px > 500, "{chart}: {px}");
    }
    app.screenshot("counter-numbers-zh-CN").await.unwrap();
    scroll_to(&app, "numbers-chart-models").await;
    app.screenshot("counter-numbers-models-zh-CN")
        .await
        .unwrap();

    // The CSV: one row per case, the clerk named, the made case's model.
    app.click("numbers-export").await.unwrap();
    app.wait_for("[data-testid=numbers-exported]")
        .await
        .unwrap();
    let csv_path = std::fs::read_dir(saves.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("the CSV file");
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("\u{feff}受理编号"), "{}", lines[0]);
    for case in &cases {
        let row = lines.iter().find(|l| l.starts_with(&case.id)).unwrap();
        assert!(row.contains(&format!("王受理 ({clerk_id})")), "{row}");
    }
    let made = lines.iter().find(|l| l.starts_with(&cases[0].id)).unwrap();
    assert!(made.contains("SoftHSM"), "{made}");

    // A range backwards: refused in words, the days picked stay.
    pick_day(&app, "numbers-from", "2026-12-20").await;
    pick_day(&app, "numbers-to", "2026-12-01").await;
    app.click("numbers-show").await.unwrap();
    app.wait_text("[data-testid=numbers-error]", |t| {
        t.contains("结束日期应不早于开始日期")
    })
    .await
    .unwrap();
    assert_eq!(common::value(&app, "numbers-from").await, "2026-12-20");
    app.screenshot("counter-numbers-range-zh-CN").await.unwrap();

    // English.
    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.click("counter-view-numbers").await.unwrap();
    app.wait_text("[data-testid=numbers-cases]", |t| t.trim() == "2")
        .await
        .unwrap();
    let verifying = app
        .text("[data-testid=numbers-stage-verifying]")
        .await
        .unwrap();
    assert!(verifying.starts_with("Verifying"), "{verifying}");
    certdesk_e2e::eventually(
        "the English chart",
        std::time::Duration::from_secs(10),
        || async { (drawn(&app, "numbers-chart-operators").await > 500).then_some(()) },
    )
    .await
    .unwrap();
    app.screenshot("counter-numbers-en").await.unwrap();
    app.click("counter-view-batch").await.unwrap();
    app.click("batch-import-open").await.unwrap();
    common::type_into(&app, "batch-list", "202612079999").await;
    app.click("batch-list-pick").await.unwrap();
    app.wait_text("[data-testid=batch-list-unmatched]", |t| {
        t.contains("Not among the approved cases (1)")
    })
    .await
    .unwrap();
    app.screenshot("counter-batch-list-en").await.unwrap();
}
