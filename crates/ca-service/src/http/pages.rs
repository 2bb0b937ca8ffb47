//! HTML pages: the sandbox overview and the targets of SMS links (the face check and the
//! bank gateway are sandbox stand-ins; the authorisation page is the CA's own).

use axum::extract::{Path, State};
use axum::response::Html;

use crate::state::Shared;

pub async fn sandbox_page() -> Html<&'static str> {
    Html(include_str!("../sandbox-page.html"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    page_in(true, title, body)
}

/// `sandbox`: the page links back to the sandbox overview.
fn page_in(sandbox: bool, title: &str, body: &str) -> Html<String> {
    let back = if sandbox {
        r#"<p><a href="/sandbox">返回沙箱 / back to sandbox</a></p>"#
    } else {
        ""
    };
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"WenQuanYi Micro Hei",sans-serif;margin:2rem;max-width:40rem}}button,input{{font-size:1rem;margin:.3rem}}</style></head>
<body><h1>{title}</h1>{body}{back}
<script>
async function post(url, body) {{
  const r = await fetch(url, {{method: "POST", headers: {{"content-type": "application/json"}}, body: JSON.stringify(body ?? {{}})}});
  const p = await r.json().catch(() => ({{}}));
  document.getElementById("result").textContent = r.ok ? "完成 / done" : (p.title_zh || "") + " / " + (p.title || r.status);
}}
</script><p id="result"></p></body></html>"#
    ))
}

/// Target of the face-check SMS link.
pub async fn face_page(Path(id): Path<String>) -> Html<String> {
    let id = esc(&id);
    page(
        "刷脸验证（沙箱）/ Face check",
        &format!(
            r#"<p>请按提示完成刷脸及活体验证。<br><small>Complete the liveness check.</small></p>
<button onclick="post('/sandbox/face-checks/{id}/complete',{{pass:true}})">验证通过 Pass</button>
<button onclick="post('/sandbox/face-checks/{id}/complete',{{pass:false}})">验证失败 Fail</button>"#
        ),
    )
}

/// Target of the online-authorisation SMS link (the legal representative signs): the
/// CA's own page, under `/sandbox` in the sandbox.
pub async fn authorisation_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Html<String> {
    let id = esc(&id);
    page_in(
        state.sandbox,
        "签署授权委托书 / Sign the letter of authorisation",
        &format!(
            r#"<p>本人作为法定代表人，授权经办人办理单位数字证书申请。<br><small>As legal representative I authorise the handler to apply for the organisation certificate.</small></p>
<label>短信验证码 SMS code <input id="code" inputmode="numeric" maxlength="6"></label>
<button onclick="post('/v1/authorisations/{id}/sign',{{code:document.getElementById('code').value}})">签署 Sign</button>"#
        ),
    )
}

/// Target of the online-banking gateway's payment link (seed 000).
pub async fn bank_pay_page(State(_state): State<Shared>, Path(id): Path<String>) -> Html<String> {
    let id = esc(&id);
    page(
        "网银支付（沙箱）/ Online banking",
        &format!(r#"<button onclick="post('/sandbox/payments/{id}/pay')">确认支付 Pay</button>"#),
    )
}
