//! A little page writer over krilla: text at a point, ruled boxes, wrapped paragraphs.
//! Coordinates are PDF points from the top-left corner (krilla's convention).

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::FormPdfError;

/// A4 portrait.
pub const PAGE_W: f32 = 595.0;
pub const PAGE_H: f32 = 842.0;
pub const MARGIN: f32 = 50.0;

/// Estimated advance of `text` at `size`: CJK and full-width characters are one em,
/// everything else about half. Good enough to wrap and centre form text; a field that
/// runs long is wrapped, never clipped.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.55 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// Splits `text` into lines no wider than `max` (by [`width`]), breaking anywhere:
/// Chinese has no spaces to break at, and numbers in forms are short.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for c in para.chars() {
            let mut next = line.clone();
            next.push(c);
            // Closing punctuation never starts a line (it hangs past the edge instead).
            let closing = "，。、；：？！）」』》".contains(c);
            if width(&next, size) > max && !line.is_empty() && !closing {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
    }
    lines
}

/// A4 pages drawn in order, each with the footer naming `id`, text in the CJK font
/// found through `font_env`.
pub fn document(
    font_env: &'static str,
    id: &str,
    pages: &[&dyn Fn(&mut Pen)],
) -> Result<Vec<u8>, FormPdfError> {
    document_for(font_env, &format!("订单号 {id}"), pages)
}

/// As [`document`], the footer naming `footer` (e.g. a point's close of a day).
pub fn document_for(
    font_env: &'static str,
    footer: &str,
    pages: &[&dyn Fn(&mut Pen)],
) -> Result<Vec<u8>, FormPdfError> {
    let font = crate::font::cjk(font_env)?;
    let mut doc = Document::new();
    for (i, draw) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| FormPdfError::Pdf("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        let mut pen = Pen {
            s: &mut s,
            font: font.clone(),
        };
        draw(&mut pen);
        pen.footer(i + 1, pages.len(), footer);
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| FormPdfError::Pdf(format!("{e:?}")))
}

pub struct Pen<'a, 'b> {
    pub s: &'a mut Surface<'b>,
    pub font: Font,
}

impl Pen<'_, '_> {
    /// Text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.s.draw_text(
            Point::from_xy(x, y),
            self.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    pub fn centred(&mut self, y: f32, size: f32, text: &str) {
        let x = (PAGE_W - width(text, size)) / 2.0;
        self.text(x.max(MARGIN), y, size, text);
    }

    /// Wrapped text from `(x, y)` within `max`; returns the y below the last line.
    pub fn paragraph(&mut self, x: f32, y: f32, size: f32, max: f32, text: &str) -> f32 {
        let mut y = y;
        for line in wrap(text, size, max) {
            self.text(x, y, size, &line);
            y += size * 1.6;
        }
        y
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, line: f32) {
        let Some(r) = Rect::from_xywh(x, y, w, h) else {
            return;
        };
        let mut pb = PathBuilder::new();
        pb.push_rect(r);
        if let Some(path) = pb.finish() {
            self.s.set_fill(None);
            self.s.set_stroke(Some(Stroke {
                width: line,
                ..Stroke::default()
            }));
            self.s.draw_path(&path);
            self.s.set_stroke(None);
        }
    }

    /// A QR code's dark modules (`dark[row * n + col]`, `n` a side) filled in black in
    /// the square at `(x, y)` of side `size`, as one path: the module edges meet
    /// exactly, so a scanner sees clean squares.
    pub fn qr(&mut self, x: f32, y: f32, size: f32, n: usize, dark: &[bool]) {
        let m = size / n.max(1) as f32;
        let mut pb = PathBuilder::new();
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (row, col) = (i / n, i % n);
            if let Some(r) = Rect::from_xywh(x + col as f32 * m, y + row as f32 * m, m, m) {
                pb.push_rect(r);
            }
        }
        if let Some(path) = pb.finish() {
            self.s.set_stroke(None);
            self.s.set_fill(Some(Fill::default()));
            self.s.draw_path(&path);
            self.s.set_fill(None);
        }
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let mut pb = PathBuilder::new();
        pb.move_to(x1, y1);
        pb.line_to(x2, y2);
        if let Some(path) = pb.finish() {
            self.s.set_fill(None);
            self.s.set_stroke(Some(Stroke {
                width: 0.6,
                ..Stroke::default()
            }));
            self.s.draw_path(&path);
            self.s.set_stroke(None);
        }
    }

    /// A section heading band across the text width; returns the y below it.
    pub fn heading(&mut self, y: f32, text: &str) -> f32 {
        self.rect(MARGIN, y, PAGE_W - 2.0 * MARGIN, 20.0, 0.8);
        self.text(MARGIN + 6.0, y + 14.0, 11.0, text);
        y + 20.0
    }

    /// One table row of label/value cells across the text width (`cells` pairs, each
    /// pair taking an equal share); a long value wraps and grows the row. Returns the
    /// y below the row.
    pub fn row(&mut self, y: f32, cells: &[(&str, &str)]) -> f32 {
        const SIZE: f32 = 9.5;
        const LABEL_W: f32 = 104.0;
        let total = PAGE_W - 2.0 * MARGIN;
        let share = total / cells.len().max(1) as f32;
        let value_w = share - LABEL_W - 8.0;
        let lines: Vec<Vec<String>> = cells.iter().map(|(_, v)| wrap(v, SIZE, value_w)).collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
        let h = 10.0 + n * SIZE * 1.5;
        for (i, ((label, _), value)) in cells.iter().zip(&lines).enumerate() {
            let x = MARGIN + share * i as f32;
            self.rect(x, y, LABEL_W, h, 0.6);
            self.rect(x + LABEL_W, y, share - LABEL_W, h, 0.6);
            for (j, l) in wrap(label, SIZE, LABEL_W - 8.0).iter().enumerate() {
                self.text(x + 4.0, y + 6.0 + SIZE + j as f32 * SIZE * 1.5, SIZE, l);
            }
            for (j, l) in value.iter().enumerate() {
                self.text(
                    x + LABEL_W + 4.0,
                    y + 6.0 + SIZE + j as f32 * SIZE * 1.5,
                    SIZE,
                    l,
                );
            }
        }
        y + h
    }

    pub fn footer(&mut self, page: usize, pages: usize, footer: &str) {
        let y = PAGE_H - 30.0;
        self.text(MARGIN, y, 8.0, footer);
        let t = format!("第 {page} 页 / 共 {pages} 页");
        self.text(PAGE_W - MARGIN - width(&t, 8.0), y, 8.0, &t);
    }
}
