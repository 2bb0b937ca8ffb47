//! The CJK font forms and invoices are set in: the first that loads of an override
//! path, then the fonts each platform ships with Chinese glyphs. Loaded once per
//! process (a TTC is several MB; krilla embeds only the glyphs used).

use std::path::PathBuf;
use std::sync::OnceLock;

use krilla::text::Font;

/// Debian's `fonts-wqy-microhei` (Apache-2.0), the font the tests and the sandbox use.
pub const WQY_MICROHEI: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// Fonts with Chinese glyphs that ship with each platform, in order of preference.
fn platform_candidates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "windows") {
        let dir = std::env::var_os("WINDIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\Windows"))
            .join("Fonts");
        // Microsoft YaHei, then SimSun: on every Chinese and most other Windows installs.
        v.extend(["msyh.ttc", "simsun.ttc", "simhei.ttf"].map(|f| dir.join(f)));
    } else if cfg!(target_os = "macos") {
        v.extend(
            [
                "/System/Library/Fonts/PingFang.ttc",
                "/System/Library/Fonts/STHeiti Light.ttc",
                "/System/Library/Fonts/Hiragino Sans GB.ttc",
                "/Library/Fonts/Arial Unicode.ttf",
            ]
            .map(PathBuf::from),
        );
    } else {
        v.extend(
            [
                WQY_MICROHEI,
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            ]
            .map(PathBuf::from),
        );
    }
    v
}

#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "no CJK font found (tried {tried}); install fonts-wqy-microhei or name a font file in {env}"
)]
pub struct FontError {
    pub tried: String,
    pub env: &'static str,
}

/// The first candidate that loads as a font: `env` (a path) when set, then the
/// platform's own fonts. Cached per `env` name for the life of the process.
pub fn cjk(env: &'static str) -> Result<Font, FontError> {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(&'static str, Font)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cached = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, f)) = cached.iter().find(|(e, _)| *e == env) {
        return Ok(f.clone());
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os(env)
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.extend(platform_candidates());
    for path in &candidates {
        if let Some(font) = std::fs::read(path)
            .ok()
            .and_then(|data| Font::new(data.into(), 0))
        {
            cached.push((env, font.clone()));
            return Ok(font);
        }
    }
    Err(FontError {
        tried: candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        env,
    })
}
