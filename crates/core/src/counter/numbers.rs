//! The supervisor's numbers (issue 14 item 4). The CA gives each case of the point
//! with the time it spent in each stage and who served it there; this groups them by
//! stage, operator, token model and hour of the day (China time), and writes the cases
//! as CSV for a spreadsheet.

use std::collections::{BTreeMap, BTreeSet};

use certdesk_ca_api::FieldError;
use certdesk_ca_api::numbers::{CaseTimes, CounterNumbers, NUMBERS_MAX_DAYS, Stage};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::close::checked_day;
use super::{CaseError, Counter};
use crate::settings::Language;

/// China time (UTC+8): the counter's clock.
const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Time in one stage over the cases that reached it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StageFigure {
    pub stage: Stage,
    pub cases: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub median_seconds: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub mean_seconds: u64,
}

/// What one operator spent in each stage they served.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OperatorStages {
    pub operator_id: String,
    /// Empty when the operator is no longer listed at the point.
    pub name: String,
    /// Cases in which they served at least one stage.
    pub cases: u32,
    pub stages: Vec<StageFigure>,
}

/// Making on one token model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelFigure {
    /// Empty when neither the stock nor the token named it.
    pub model: String,
    pub making: StageFigure,
}

/// One hour of the day (China time) over the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HourFigure {
    /// 0-23.
    pub hour: u8,
    pub opened: u32,
    pub finished: u32,
}

/// The range's numbers as the supervisor's view shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NumbersSummary {
    pub from: String,
    pub to: String,
    pub cases: u32,
    /// Handed over, or made (a batch-made key is mailed).
    pub finished: u32,
    /// Finished cases per working hour: the clock hours (day and hour) in which the
    /// point opened or finished a case.
    pub per_hour: f64,
    /// Median time at the counter of a finished case, opened to finished.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub median_total_seconds: Option<u64>,
    pub stages: Vec<StageFigure>,
    pub operators: Vec<OperatorStages>,
    pub models: Vec<ModelFigure>,
    /// Only the hours with a case opened or finished, in order.
    pub hours: Vec<HourFigure>,
}

/// Seconds spent in each stage, one entry per case.
type Times = BTreeMap<Stage, Vec<u64>>;

fn median(sorted: &[u64]) -> u64 {
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

fn figure(stage: Stage, mut seconds: Vec<u64>) -> StageFigure {
    seconds.sort_unstable();
    let n = seconds.len() as u64;
    StageFigure {
        stage,
        cases: seconds.len() as u32,
        median_seconds: median(&seconds),
        mean_seconds: seconds.iter().sum::<u64>().checked_div(n).unwrap_or(0),
    }
}

/// One figure per stage that has any time, in stage order.
fn figures(by_stage: Times) -> Vec<StageFigure> {
    by_stage
        .into_iter()
        .map(|(stage, secs)| figure(stage, secs))
        .collect()
}

fn china(rfc3339: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(CHINA))
}

/// Opened to finished, for a finished case.
fn total_seconds(c: &CaseTimes) -> Option<u64> {
    let opened = china(&c.opened_at)?;
    let finished = china(c.finished_at.as_deref()?)?;
    Some((finished - opened).whole_seconds().max(0) as u64)
}

/// Groups the CA's cases into the view's figures.
pub fn summarise(n: &CounterNumbers) -> NumbersSummary {
    let names: BTreeMap<&str, &str> = n
        .operators
        .iter()
        .map(|o| (o.operator_id.as_str(), o.name.as_str()))
        .collect();
    let mut stages: Times = BTreeMap::new();
    let mut operators: BTreeMap<&str, (BTreeSet<&str>, Times)> = BTreeMap::new();
    let mut models: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut hours: BTreeMap<u8, (u32, u32)> = BTreeMap::new();
    let mut working_hours: BTreeSet<(time::Date, u8)> = BTreeSet::new();
    let mut totals = Vec::new();

    for c in &n.cases {
        for s in &c.stages {
            stages.entry(s.stage).or_default().push(s.seconds);
            if let Some(op) = s.operator_id.as_deref() {
                let (cases, by) = operators.entry(op).or_default();
                cases.insert(c.case_id.as_str());
                by.entry(s.stage).or_default().push(s.seconds);
            }
            if s.stage == Stage::Making {
                let model = c.token_model.as_deref().unwrap_or("");
                models.entry(model).or_default().push(s.seconds);
            }
        }
        if let Some(t) = china(&c.opened_at) {
            hours.entry(t.hour()).or_default().0 += 1;
            working_hours.insert((t.date(), t.hour()));
        }
        if let Some(t) = c.finished_at.as_deref().and_then(china) {
            hours.entry(t.hour()).or_default().1 += 1;
            working_hours.insert((t.date(), t.hour()));
        }
        totals.extend(total_seconds(c));
    }
    totals.sort_unstable();
    let finished = n.cases.iter().filter(|c| c.finished_at.is_some()).count() as u32;
    NumbersSummary {
        from: n.from.clone(),
        to: n.to.clone(),
        cases: n.cases.len() as u32,
        finished,
        per_hour: if working_hours.is_empty() {
            0.0
        } else {
            f64::from(finished) / working_hours.len() as f64
        },
        median_total_seconds: (!totals.is_empty()).then(|| median(&totals)),
        stages: figures(stages),
        operators: operators
            .into_iter()
            .map(|(id, (cases, by))| OperatorStages {
                operator_id: id.to_string(),
                name: names.get(id).copied().unwrap_or_default().to_string(),
                cases: cases.len() as u32,
                stages: figures(by),
            })
            .collect(),
        models: models
            .into_iter()
            .map(|(model, secs)| ModelFigure {
                model: model.to_string(),
                making: figure(Stage::Making, secs),
            })
            .collect(),
        hours: hours
            .into_iter()
            .map(|(hour, (opened, finished))| HourFigure {
                hour,
                opened,
                finished,
            })
            .collect(),
    }
}

/// A spreadsheet would run a cell that starts like a formula: such text is quoted
/// with a leading apostrophe (OWASP's CSV injection advice).
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn local(rfc3339: Option<&str>) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    rfc3339
        .and_then(china)
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

fn header(language: Language) -> Vec<String> {
    let zh = language == Language::ZhCn;
    let mut h: Vec<String> = if zh {
        [
            "受理编号",
            "订单号",
            "柜台录入",
            "开始时间",
            "完成时间",
            "介质型号",
        ]
    } else {
        [
            "Case",
            "Order number",
            "Keyed at the counter",
            "Opened",
            "Finished",
            "Token model",
        ]
    }
    .map(str::to_string)
    .to_vec();
    for s in Stage::ALL {
        let (name, who) = match (s, zh) {
            (Stage::Verifying, true) => ("核验（秒）", "核验人"),
            (Stage::Paying, true) => ("缴费（秒）", "收费人"),
            (Stage::Waiting, true) => ("等待（秒）", "审核人"),
            (Stage::Making, true) => ("制证（秒）", "制证人"),
            (Stage::HandingOver, true) => ("交付（秒）", "交付人"),
            (Stage::Verifying, false) => ("Verifying (s)", "Verified by"),
            (Stage::Paying, false) => ("Paying (s)", "Payment taken by"),
            (Stage::Waiting, false) => ("Waiting (s)", "Approved by"),
            (Stage::Making, false) => ("Making (s)", "Made by"),
            (Stage::HandingOver, false) => ("Handing over (s)", "Handed over by"),
        };
        h.push(name.into());
        h.push(who.into());
    }
    h.push(if zh { "合计（秒）" } else { "Total (s)" }.into());
    h
}

/// The cases as CSV (UTF-8 with a byte-order mark, so spreadsheet programs in China
/// read the Chinese headers right), headers in `language`; times in China time.
pub fn numbers_csv(n: &CounterNumbers, language: Language) -> Result<Vec<u8>, csv::Error> {
    let names: BTreeMap<&str, &str> = n
        .operators
        .iter()
        .map(|o| (o.operator_id.as_str(), o.name.as_str()))
        .collect();
    let who = |id: &Option<String>| -> String {
        match id.as_deref() {
            Some(id) => match names.get(id) {
                Some(name) if !name.is_empty() => format!("{name} ({id})"),
                _ => id.to_string(),
            },
            None => String::new(),
        }
    };
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(header(language))?;
    for c in &n.cases {
        let mut row = vec![
            c.case_id.clone(),
            c.order_number.clone().unwrap_or_default(),
            if c.keyed { "1" } else { "0" }.to_string(),
            local(Some(&c.opened_at)),
            local(c.finished_at.as_deref()),
            c.token_model.clone().unwrap_or_default(),
        ];
        for stage in Stage::ALL {
            match c.stages.iter().find(|s| s.stage == stage) {
                Some(s) => {
                    row.push(s.seconds.to_string());
                    row.push(who(&s.operator_id));
                }
                None => row.extend([String::new(), String::new()]),
            }
        }
        row.push(total_seconds(c).map(|t| t.to_string()).unwrap_or_default());
        out.write_record(row.iter().map(|t| cell(t)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A checked range: both days YYYY-MM-DD, the last on or after the first, at most
/// [`NUMBERS_MAX_DAYS`] days.
fn checked_range(from: &str, to: &str) -> Result<(String, String), CaseError> {
    let (from, to) = (checked_day(from)?, checked_day(to)?);
    let date = |d: &str| {
        time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    match (date(&from), date(&to)) {
        (Some(a), Some(b)) if b >= a && (b - a).whole_days() < NUMBERS_MAX_DAYS => Ok((from, to)),
        _ => Err(CaseError::InvalidFields {
            fields: vec![FieldError::new(
                "to",
                "range",
                "结束日期应不早于开始日期，且最多31天",
                "the last day on or after the first, at most 31 days",
            )],
        }),
    }
}

impl Counter {
    /// The point's cases from `from` to `to` with their stages (supervisors only: the
    /// CA decides).
    pub async fn numbers(&self, from: &str, to: &str) -> Result<CounterNumbers, CaseError> {
        let (from, to) = checked_range(from, to)?;
        let client = self.cases().client()?;
        match client.counter_numbers(&self.point()?, &from, &to).await {
            Ok(n) => Ok(n),
            Err(e) => Err(self.cases().refused(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use certdesk_ca_api::numbers::{OperatorName, StageTime};

    use super::*;

    fn stage(stage: Stage, seconds: u64, op: &str) -> StageTime {
        StageTime {
            stage,
            seconds,
            operator_id: Some(op.into()),
        }
    }

    fn case(id: &str, opened: &str, finished: Option<&str>, model: Option<&str>) -> CaseTimes {
        CaseTimes {
            case_id: id.into(),
            application_id: format!("app_{id}"),
            order_number: Some(format!("=HYPERLINK(\"x\")-{id}")),
            keyed: false,
            opened_by: "OP1".into(),
            opened_at: opened.into(),
            finished_at: finished.map(str::to_string),
            token_model: model.map(str::to_string),
            stages: vec![
                stage(Stage::Verifying, 100, "OP1"),
                stage(Stage::Waiting, 300, "OP2"),
                stage(Stage::Making, if id == "c1" { 40 } else { 80 }, "OP3"),
            ],
        }
    }

    fn numbers() -> CounterNumbers {
        CounterNumbers {
            point_id: "P1".into(),
            from: "2026-12-07".into(),
            to: "2026-12-07".into(),
            cases: vec![
                // 09:10 and 09:20 China time, finished 09:20 and 10:05.
                case(
                    "c1",
                    "2026-12-07T01:10:00Z",
                    Some("2026-12-07T01:20:00Z"),
                    Some("ePass3003"),
                ),
                case(
                    "c2",
                    "2026-12-07T01:20:00Z",
                    Some("2026-12-07T02:05:00Z"),
                    None,
                ),
                case("c3", "2026-12-07T02:30:00Z", None, Some("ePass3003")),
            ],
            operators: vec![OperatorName {
                operator_id: "OP1".into(),
                name: "王芳".into(),
            }],
        }
    }

    #[test]
    fn the_cases_are_grouped_by_stage_operator_model_and_hour() {
        let s = summarise(&numbers());
        assert_eq!((s.cases, s.finished), (3, 2));
        // Finished 2 in the two clock hours 09 and 10 that saw any case.
        assert_eq!(s.per_hour, 1.0);
        assert_eq!(s.median_total_seconds, Some((600 + 2700) / 2));
        let making = s.stages.iter().find(|f| f.stage == Stage::Making).unwrap();
        assert_eq!(
            (making.cases, making.median_seconds, making.mean_seconds),
            (3, 80, 66)
        );
        let op1 = &s.operators[0];
        assert_eq!(
            (op1.operator_id.as_str(), op1.name.as_str(), op1.cases),
            ("OP1", "王芳", 3)
        );
        assert_eq!(
            s.operators[1].name, "",
            "an operator no longer listed keeps an id only"
        );
        let models: Vec<(&str, u32, u64)> = s
            .models
            .iter()
            .map(|m| (m.model.as_str(), m.making.cases, m.making.median_seconds))
            .collect();
        assert_eq!(models, [("", 1, 80), ("ePass3003", 2, 60)]);
        let hours: Vec<(u8, u32, u32)> = s
            .hours
            .iter()
            .map(|h| (h.hour, h.opened, h.finished))
            .collect();
        assert_eq!(hours, [(9, 2, 1), (10, 1, 1)]);
    }

    #[test]
    fn nothing_in_the_range_gives_zeros_not_a_division_by_zero() {
        let n = CounterNumbers {
            cases: Vec::new(),
            ..numbers()
        };
        let s = summarise(&n);
        assert_eq!((s.cases, s.finished, s.per_hour), (0, 0, 0.0));
        assert_eq!(s.median_total_seconds, None);
    }

    #[test]
    fn csv_has_one_row_per_case_in_china_time_and_defuses_formulas() {
        let bytes = numbers_csv(&numbers(), Language::ZhCn).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "受理编号");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][0], "c1");
        assert!(
            rows[0][1].starts_with("'="),
            "a formula is defused: {}",
            &rows[0][1]
        );
        assert_eq!(&rows[0][3], "2026-12-07 09:10:00");
        assert_eq!(&rows[0][5], "ePass3003");
        assert_eq!(&rows[0][6], "100");
        assert_eq!(&rows[0][7], "王芳 (OP1)");
        assert_eq!(&rows[0][8], "", "no counter payment");
        assert_eq!(&rows[0][16], "600");
        assert_eq!(&rows[2][4], "", "an open case has no finish");
        let en = String::from_utf8(numbers_csv(&numbers(), Language::En).unwrap()).unwrap();
        assert!(en.contains("Verifying (s)"));
    }

    #[test]
    fn a_range_is_two_days_in_order_at_most_31_days_apart() {
        assert!(checked_range("2026-12-01", "2026-12-07").is_ok());
        assert!(checked_range("2026-12-01", "2026-12-31").is_ok());
        for (a, b) in [
            ("2026-12-07", "2026-12-01"),
            ("2026-11-01", "2026-12-07"),
            ("x", "2026-12-07"),
        ] {
            assert!(checked_range(a, b).is_err(), "{a}..{b}");
        }
    }
}
