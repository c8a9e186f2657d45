//! Pure layout shared by every chart: the `Surface` (canvas size, device scale and
//! font sizes), rectangles, linear axes and legends (ticks and number formats
//! are in `ticks.rs`). No drawing happens here, so `draw` and `describe`
//! compute the very same geometry.
//!
//! All sizes are device pixels. `scale` is device pixels per CSS pixel (the
//! canvas's width over its CSS width, i.e. devicePixelRatio when the page sizes
//! the canvas to its box), so text is at least 11 CSS pixels at any ratio and
//! margins grow with the font rather than with the canvas.

use super::colour::Rgb;

/// Width of an average sans-serif glyph (digits, lower case) in em.
const GLYPH_EM: f64 = 0.58;

/// Whether `c` is a wide (CJK) character, about 1 em: two average glyphs.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// The width of `text` in average glyphs (a CJK character counts two), for
/// [`Surface::text_width`].
pub fn text_units(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Canvas size, device scale and the font sizes derived from them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surface {
    pub width: f64,
    pub height: f64,
    pub scale: f64,
    /// Body font size (axis labels, notes).
    pub font: f64,
}

/// A rectangle in device pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// What sits right of the plot area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Right {
    /// Only a small margin.
    Margin,
    /// A secondary axis whose longest tick label has this many characters.
    Axis(usize),
    /// A colour bar whose longest tick label has this many characters.
    ColourBar(usize),
}

/// The plot area and, for `Right::ColourBar`, the bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chrome {
    pub plot: Rect,
    pub bar: Rect,
}

impl Surface {
    pub fn new(width: u32, height: u32, scale: f64) -> Surface {
        let scale = if scale.is_finite() && scale >= 0.25 {
            scale.min(8.0)
        } else {
            1.0
        };
        let (css_w, css_h) = (width as f64 / scale, height as f64 / scale);
        let css_font = (css_w.min(css_h * 1.8) / 46.0).clamp(12.0, 15.0);
        Surface {
            width: width as f64,
            height: height as f64,
            scale,
            font: css_font * scale,
        }
    }

    /// Tick labels, legends: never below 11 CSS pixels.
    pub fn small(&self) -> f64 {
        (self.font * 0.9).max(11.0 * self.scale)
    }

    pub fn title_font(&self) -> f64 {
        self.font * 1.12
    }

    /// CSS pixels to device pixels.
    pub fn px(&self, css: f64) -> f64 {
        css * self.scale
    }

    /// Estimated width of `chars` characters at font size `size`.
    pub fn text_width(&self, chars: usize, size: f64) -> f64 {
        chars as f64 * size * GLYPH_EM
    }

    /// Height of the title band above the plot.
    pub fn top(&self) -> f64 {
        2.3 * self.font
    }

    /// Height below a plot taken by its tick labels and axis label.
    pub fn bottom(&self) -> f64 {
        0.4 * self.font + 1.3 * self.small() + 1.5 * self.font
    }

    /// Width taken by a vertical axis: tick marks, labels and a rotated label.
    fn axis_width(&self, chars: usize) -> f64 {
        0.4 * self.font + self.text_width(chars, self.small()) + 0.5 * self.font + 1.3 * self.font
    }

    /// The plot area under the title band, with room for a vertical axis whose
    /// longest label has `left_chars` characters, an x axis below, `extra_top`
    /// more pixels on top (a legend line) and `right` on the right.
    pub fn chrome(&self, extra_top: f64, left_chars: usize, right: Right) -> Chrome {
        let left = self.axis_width(left_chars) + 0.3 * self.font;
        let right_width = match right {
            Right::Margin => 1.2 * self.font,
            Right::Axis(chars) => self.axis_width(chars) + 0.3 * self.font,
            Right::ColourBar(chars) => 1.8 * self.font + self.axis_width(chars),
        };
        let top = self.top() + extra_top;
        let plot = Rect {
            x: left,
            y: top,
            w: (self.width - left - right_width).max(1.0),
            h: (self.height - top - self.bottom()).max(1.0),
        };
        let bar = Rect {
            x: plot.x + plot.w + 0.9 * self.font,
            y: plot.y,
            w: 0.8 * self.font,
            h: plot.h,
        };
        Chrome { plot, bar }
    }

    /// How many ticks fit along `length` pixels with labels of `chars` characters.
    pub fn tick_room(&self, length: f64, chars: usize, vertical: bool) -> usize {
        let pitch = if vertical {
            2.4 * self.small()
        } else {
            self.text_width(chars.max(2), self.small()) + 1.6 * self.small()
        };
        ((length / pitch).floor() as usize).max(2)
    }
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    /// Splits into an upper part of `share` of the height and a lower part, with
    /// `gap` pixels between them.
    pub fn split(&self, share: f64, gap: f64) -> (Rect, Rect) {
        let upper = ((self.h - gap) * share).max(1.0);
        let lower = (self.h - gap - upper).max(1.0);
        (
            Rect { h: upper, ..*self },
            Rect {
                y: self.y + upper + gap,
                h: lower,
                ..*self
            },
        )
    }
}

/// A linear map from data units `lo..hi` to pixels `from..to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub from: f64,
    pub to: f64,
}

impl Axis {
    /// `lo..hi` along the plot's width.
    pub fn horizontal(lo: f64, hi: f64, plot: &Rect) -> Axis {
        Axis::new(lo, hi, plot.x, plot.right())
    }

    /// `lo..hi` up the plot's height.
    pub fn vertical(lo: f64, hi: f64, plot: &Rect) -> Axis {
        Axis::new(lo, hi, plot.bottom(), plot.y)
    }

    fn new(lo: f64, hi: f64, from: f64, to: f64) -> Axis {
        let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        Axis { lo, hi, from, to }
    }

    pub fn px(&self, u: f64) -> f64 {
        self.from + (u - self.lo) / (self.hi - self.lo) * (self.to - self.from)
    }

    pub fn value(&self, px: f64) -> f64 {
        self.lo + (px - self.from) / (self.to - self.from) * (self.hi - self.lo)
    }
}

/// Splits `text` into lines no wider than `width` pixels at font `size`:
/// at spaces, and between CJK characters (never before CJK punctuation).
pub fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let per_line = ((width / (size * GLYPH_EM)).floor() as usize).max(8);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (spaced, piece) in pieces(text) {
        let gap = usize::from(spaced && !line.is_empty());
        if !line.is_empty() && text_units(&line) + gap + text_units(&piece) > per_line {
            lines.push(std::mem::take(&mut line));
        } else if gap == 1 {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The pieces a line may break between, each with whether a space precedes
/// it: words, and single CJK characters with the punctuation after them.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut pieces: Vec<(bool, String)> = Vec::new();
    for word in text.split(' ') {
        let mut spaced = true;
        let mut run = String::new();
        for c in word.chars() {
            let closing = "，。、：；！？）」』”".contains(c);
            if is_wide(c) && !closing {
                if !run.is_empty() {
                    pieces.push((spaced, std::mem::take(&mut run)));
                    spaced = false;
                }
                run.push(c);
                pieces.push((spaced, std::mem::take(&mut run)));
                spaced = false;
            } else if closing && run.is_empty() && !spaced {
                if let Some(last) = pieces.last_mut() {
                    last.1.push(c);
                }
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() || spaced {
            pieces.push((spaced, run));
        }
    }
    pieces
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Line,
    Dashed,
    /// White with a dark halo (overlays on colour maps).
    Halo,
    HaloDashed,
    Dot,
    Block,
}

/// One legend entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key<'a> {
    pub label: &'a str,
    pub colour: Rgb,
    pub mark: Mark,
}

impl<'a> Key<'a> {
    pub const fn new(label: &'a str, colour: Rgb, mark: Mark) -> Self {
        Key {
            label,
            colour,
            mark,
        }
    }
}

impl Surface {
    /// Width of a one-line legend.
    pub fn legend_width(&self, keys: &[Key]) -> f64 {
        let small = self.small();
        keys.iter()
            .map(|k| 2.0 * small + self.text_width(text_units(k.label), small))
            .sum::<f64>()
            + 0.8 * small * keys.len().saturating_sub(1) as f64
    }

    /// Extra height the legend needs below the title when both do not fit on
    /// the title line (0 when they do).
    pub fn legend_extra(&self, title: &str, keys: &[Key]) -> f64 {
        let title_width = self.text_width(text_units(title), self.title_font()) * 1.05;
        if title_width + self.legend_width(keys) + 2.5 * self.font <= self.width {
            0.0
        } else {
            1.5 * self.small()
        }
    }
}
