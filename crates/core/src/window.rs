//! Where the main window opens: the size, position and maximised state it had when it
//! was last closed, as long as that still fits on a connected screen (a laptop taken off
//! its docking station must not open the window off-screen).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A rectangle in logical pixels (device-independent), as the window builder takes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    fn overlap(&self, other: &Rect) -> f64 {
        let w = (self.x + self.width).min(other.x + other.width) - self.x.max(other.x);
        let h = (self.y + self.height).min(other.y + other.height) - self.y.max(other.y);
        w.max(0.0) * h.max(0.0)
    }

    fn is_sane(&self) -> bool {
        [self.x, self.y, self.width, self.height]
            .iter()
            .all(|v| v.is_finite())
            && self.width > 0.0
            && self.height > 0.0
    }
}

/// The window as last seen: `normal` is the un-maximised rectangle, kept while
/// maximised so that un-maximising after a restart returns to it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowPlacement {
    pub normal: Rect,
    pub maximized: bool,
}

/// The smallest size the window allows (tauri.conf.json's minWidth/minHeight).
pub const MIN_SIZE: (f64, f64) = (960.0, 600.0);

/// How much of the title bar (an area, logical px²) must be on a screen for a position
/// to be kept: a strip 120 px wide, enough to grab and drag the window back.
const VISIBLE_TITLE: f64 = 120.0 * TITLE_HEIGHT;
const TITLE_HEIGHT: f64 = 32.0;

impl WindowPlacement {
    /// The placement to open with on these screens (logical rectangles of their work
    /// areas). The size is clamped to the minimum and to the largest screen; a position
    /// whose title bar is on no screen is dropped (the window is then centred). `None`
    /// when the saved rectangle is nonsense.
    pub fn fit(&self, screens: &[Rect]) -> Option<Fitted> {
        if !self.normal.is_sane() {
            return None;
        }
        // No screen reported (some X servers): no upper bound.
        let largest = |side: fn(&Rect) -> f64| {
            screens
                .iter()
                .map(side)
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        };
        let max_w = largest(|s| s.width).unwrap_or(f64::MAX);
        let max_h = largest(|s| s.height).unwrap_or(f64::MAX);
        let width = self.normal.width.min(max_w).max(MIN_SIZE.0);
        let height = self.normal.height.min(max_h).max(MIN_SIZE.1);
        let title = Rect {
            x: self.normal.x,
            y: self.normal.y,
            width,
            height: TITLE_HEIGHT,
        };
        let on_screen = screens.iter().any(|s| s.overlap(&title) >= VISIBLE_TITLE);
        Some(Fitted {
            width,
            height,
            position: on_screen.then_some((self.normal.x, self.normal.y)),
            maximized: self.maximized,
        })
    }
}

/// What the window is built with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fitted {
    pub width: f64,
    pub height: f64,
    /// `None`: centre it.
    pub position: Option<(f64, f64)>,
    pub maximized: bool,
}

/// `window.json` in the config dir, written atomically like the settings.
#[derive(Debug, Clone)]
pub struct WindowStore {
    path: PathBuf,
}

impl WindowStore {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join("window.json"),
        }
    }

    /// The last placement; nothing when there is none or it cannot be read (the window
    /// then opens at its default size, which loses nothing the user typed).
    pub fn load(&self) -> Option<WindowPlacement> {
        let bytes = std::fs::read(&self.path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(error = %e, "window.json unreadable; default window placement");
                None
            }
        }
    }

    pub fn save(&self, placement: &WindowPlacement) -> std::io::Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(placement)?)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// The screen for the customer-facing window at the counter: the largest screen the
/// operator's window is not (mostly) on, or `None` when there is only the operator's
/// (the customer view then covers it, and the clerk turns the screen around).
pub fn customer_screen(screens: &[Rect], operator: &Rect) -> Option<Rect> {
    let area = |r: &Rect| r.width * r.height;
    let operators = screens
        .iter()
        .max_by(|a, b| a.overlap(operator).total_cmp(&b.overlap(operator)))?;
    screens
        .iter()
        .filter(|s| *s != operators)
        .max_by(|a, b| area(a).total_cmp(&area(b)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Rect = Rect {
        x: 0.0,
        y: 0.0,
        width: 1920.0,
        height: 1080.0,
    };

    fn placed(x: f64, y: f64, width: f64, height: f64) -> WindowPlacement {
        WindowPlacement {
            normal: Rect {
                x,
                y,
                width,
                height,
            },
            maximized: false,
        }
    }

    #[test]
    fn a_window_on_a_screen_opens_where_it_was() {
        let f = placed(100.0, 80.0, 1200.0, 800.0).fit(&[SCREEN]).unwrap();
        assert_eq!((f.width, f.height), (1200.0, 800.0));
        assert_eq!(f.position, Some((100.0, 80.0)));
    }

    #[test]
    fn a_window_left_on_a_screen_now_gone_is_centred() {
        // It was on a second screen to the right; only the laptop's screen is left.
        let f = placed(2100.0, 100.0, 1200.0, 800.0).fit(&[SCREEN]).unwrap();
        assert_eq!(f.position, None);
        // On the second screen, when it is connected again, it stays there.
        let right = Rect {
            x: 1920.0,
            ..SCREEN
        };
        let f = placed(2100.0, 100.0, 1200.0, 800.0)
            .fit(&[SCREEN, right])
            .unwrap();
        assert_eq!(f.position, Some((2100.0, 100.0)));
    }

    #[test]
    fn a_title_bar_barely_on_screen_does_not_count() {
        let f = placed(1900.0, 500.0, 1200.0, 800.0).fit(&[SCREEN]).unwrap();
        assert_eq!(f.position, None);
        let f = placed(100.0, -(TITLE_HEIGHT - 1.0), 1200.0, 800.0)
            .fit(&[SCREEN])
            .unwrap();
        assert_eq!(f.position, None);
    }

    #[test]
    fn sizes_are_clamped_to_the_minimum_and_the_largest_screen() {
        let f = placed(0.0, 0.0, 5000.0, 200.0).fit(&[SCREEN]).unwrap();
        assert_eq!((f.width, f.height), (1920.0, MIN_SIZE.1));
    }

    #[test]
    fn nonsense_is_dropped() {
        assert_eq!(placed(0.0, 0.0, f64::NAN, 700.0).fit(&[SCREEN]), None);
        assert_eq!(placed(0.0, 0.0, -5.0, 700.0).fit(&[SCREEN]), None);
    }

    #[test]
    fn the_store_keeps_the_placement_and_survives_a_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = WindowStore::new(dir.path());
        assert_eq!(store.load(), None);
        let p = WindowPlacement {
            maximized: true,
            ..placed(10.0, 20.0, 1000.0, 700.0)
        };
        store.save(&p).unwrap();
        assert_eq!(store.load(), Some(p));
        std::fs::write(dir.path().join("window.json"), b"{\"normal\":").unwrap();
        assert_eq!(store.load(), None);
    }

    #[test]
    fn the_customer_window_goes_to_a_screen_the_operator_is_not_on() {
        let left = Rect {
            x: 0.0,
            y: 0.0,
            width: 1920.0,
            height: 1040.0,
        };
        let right = Rect {
            x: 1920.0,
            y: 0.0,
            width: 1280.0,
            height: 1024.0,
        };
        let operator = Rect {
            x: 100.0,
            y: 80.0,
            width: 1180.0,
            height: 760.0,
        };
        assert_eq!(customer_screen(&[left, right], &operator), Some(right));
        let moved = Rect {
            x: 2000.0,
            ..operator
        };
        assert_eq!(customer_screen(&[left, right], &moved), Some(left));
        assert_eq!(customer_screen(&[left], &operator), None);
        assert_eq!(customer_screen(&[], &operator), None);
    }
}
