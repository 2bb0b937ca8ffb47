//! QR codes (payment codes, on-site face-check pages) as SVG `data:` URLs: drawn here, in Rust, so the webview needs no
//! QR library and no remote image (the CSP allows `data:` images only).

use base64::Engine;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

#[derive(Debug, thiserror::Error)]
#[error("the address cannot be drawn as a QR code: {0}")]
pub struct QrError(String);

/// The QR code of `content` (a URL) as `data:image/svg+xml;base64,…`.
/// Level M: the error correction the payment apps' own codes use.
pub fn svg_data_url(content: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M)
        .map_err(|e| QrError(e.to_string()))?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn draws_an_svg_that_encodes_the_url() {
        let url = "http://127.0.0.1:8080/sandbox/pay/pay_0123456789";
        let d = svg_data_url(url).unwrap();
        let b64 = d.strip_prefix("data:image/svg+xml;base64,").unwrap();
        let svg = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
        // The same modules the encoder chose: a different URL draws a different code.
        let other = svg_data_url("http://127.0.0.1:8080/sandbox/pay/pay_9876543210").unwrap();
        assert_ne!(d, other);
        // No script or remote reference inside.
        assert!(!svg.contains("<script") && !svg.contains("href"));
    }
}
