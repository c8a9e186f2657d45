//! Chart furniture on top of the [`Painter`] primitives: title, legend, grid,
//! axes with ticks and rotated labels, colour bars, centred notes and the red
//! non-finite alarm. Tick labels are placed by anchor (the canvas aligns them),
//! so no text is ever measured.

use plotters::style::text_anchor::{HPos, VPos};

use super::colour::{self, Rgb, BACKGROUND, GRID, INK, MUTED};
use super::layout::{text_units, wrap, Axis, Key, Mark, Rect};
use super::paint::{Painter, Res};
use super::ticks::{widest, Tick};
use crate::core::stats::Divergence;
use crate::web::i18n::trf;

/// Which side of the plot a vertical axis is on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Side {
    Left,
    Right,
}

impl Painter {
    /// The chart title, top left.
    pub fn title(&self, text: &str) -> Res {
        let f = &self.surface;
        self.bold(
            text,
            (0.7 * f.font, 1.2 * f.font),
            f.title_font(),
            INK,
            (HPos::Left, VPos::Center),
        )
    }

    /// A one-line legend, right-aligned on the title line, or on its own line
    /// below when `extra` (from [`Surface::legend_extra`]) is not zero.
    pub fn legend(&self, keys: &[Key], extra: f64) -> Res {
        let f = &self.surface;
        let small = f.small();
        let y = if extra > 0.0 {
            f.top() + 0.2 * small
        } else {
            1.2 * f.font
        };
        let mut x = f.width - 0.7 * f.font - f.legend_width(keys);
        for key in keys {
            let stroke = [(x, y), (x + 1.4 * small, y)];
            match key.mark {
                Mark::Line => self.line(&stroke, key.colour, 1.0, 2.0)?,
                Mark::Dashed => self.dashed(&stroke, key.colour, 1.0, 1.5, 3.0)?,
                Mark::Halo => self.halo(&stroke, false)?,
                Mark::HaloDashed => self.halo(&stroke, true)?,
                Mark::Dot => {
                    self.dots(std::iter::once((x + 0.7 * small, y)), 3.5, key.colour, None)?
                }
                Mark::Block => {
                    let swatch = Rect {
                        x: x + 0.2 * small,
                        y: y - 0.45 * small,
                        w: small,
                        h: 0.9 * small,
                    };
                    self.fill(&swatch, key.colour, 0.85)?
                }
            }
            x += 2.0 * small;
            self.text(
                key.label,
                (x - 0.4 * small, y),
                small,
                INK,
                (HPos::Left, VPos::Center),
            )?;
            x += f.text_width(text_units(key.label), small) + 0.8 * small;
        }
        Ok(())
    }

    /// Light grid lines across `plot` at the given x and y ticks.
    pub fn grid(
        &self,
        plot: &Rect,
        x: Option<(&Axis, &[Tick])>,
        y: Option<(&Axis, &[Tick])>,
    ) -> Res {
        for (axis, ticks) in x.into_iter() {
            for tick in ticks {
                let px = axis.px(tick.at).round();
                self.line(&[(px, plot.y), (px, plot.bottom())], GRID, 1.0, 1.0)?;
            }
        }
        for (axis, ticks) in y.into_iter() {
            for tick in ticks {
                let py = axis.px(tick.at).round();
                self.line(&[(plot.x, py), (plot.right(), py)], GRID, 1.0, 1.0)?;
            }
        }
        Ok(())
    }

    /// Tick marks, tick labels and the axis label below `plot`.
    pub fn x_axis(&self, plot: &Rect, axis: &Axis, ticks: &[Tick], label: &str) -> Res {
        let f = &self.surface;
        let (small, tick) = (f.small(), 0.35 * f.font);
        for t in ticks {
            let px = axis.px(t.at).round();
            if px < plot.x - 1.0 || px > plot.right() + 1.0 {
                continue;
            }
            self.line(
                &[(px, plot.bottom()), (px, plot.bottom() + tick)],
                MUTED,
                1.0,
                1.0,
            )?;
            self.text(
                &t.label,
                (px, plot.bottom() + 0.45 * f.font),
                small,
                INK,
                (HPos::Center, VPos::Top),
            )?;
        }
        let y = plot.bottom() + 0.4 * f.font + 1.3 * small + 0.2 * f.font;
        self.text(
            label,
            (plot.x + plot.w / 2.0, y),
            f.font,
            INK,
            (HPos::Center, VPos::Top),
        )
    }

    /// Tick marks, tick labels and the rotated axis label beside `plot`.
    pub fn y_axis(
        &self,
        plot: &Rect,
        axis: &Axis,
        ticks: &[Tick],
        label: &str,
        side: Side,
        label_colour: Rgb,
    ) -> Res {
        let f = &self.surface;
        let (small, tick) = (f.small(), 0.35 * f.font);
        let (edge, dir, anchor) = match side {
            Side::Left => (plot.x, -1.0, HPos::Right),
            Side::Right => (plot.right(), 1.0, HPos::Left),
        };
        let chars = widest(ticks);
        for t in ticks {
            let py = axis.px(t.at).round();
            if py < plot.y - 1.0 || py > plot.bottom() + 1.0 {
                continue;
            }
            self.line(&[(edge, py), (edge + dir * tick, py)], MUTED, 1.0, 1.0)?;
            self.text(
                &t.label,
                (edge + dir * 0.45 * f.font, py),
                small,
                INK,
                (anchor, VPos::Center),
            )?;
        }
        let x =
            edge + dir * (0.4 * f.font + f.text_width(chars, small) + 0.5 * f.font + 0.65 * f.font);
        self.put_text(
            label,
            (x, plot.y + plot.h / 2.0),
            f.font,
            label_colour,
            (HPos::Center, VPos::Center),
            false,
            true,
        )
    }

    /// Red bold text on a white box at the top left of `plot`.
    pub fn alarm(&self, plot: &Rect, text: &str) -> Res {
        let f = &self.surface;
        let (small, x) = (f.small(), plot.x + 0.4 * f.font);
        let lines = wrap(text, plot.w - 1.4 * f.font, small * 1.08);
        let widest = lines.iter().map(|l| text_units(l)).max().unwrap_or(0);
        let label = Rect {
            x,
            y: plot.y + 0.4 * f.font,
            w: (f.text_width(widest, small) * 1.1 + f.font).min(plot.right() - x),
            h: (0.4 + 1.3 * lines.len() as f64) * small,
        };
        self.fill(&label, BACKGROUND, 0.8)?;
        for (i, line) in lines.iter().enumerate() {
            let point = (
                label.x + 0.5 * f.font,
                label.y + (0.85 + 1.3 * i as f64) * small,
            );
            self.bold(
                line,
                point,
                small,
                colour::ALARM,
                (HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }

    /// The red "diverged at step N in layer L" alarm over `plot`, if training diverged.
    pub fn divergence(&self, plot: &Rect, diverged: Option<&Divergence>) -> Res {
        let Some(d) = diverged else {
            return Ok(());
        };
        let text = match d.layer {
            Some(layer) => trf(
                "charts.diverged_layer",
                &[("step", &d.step), ("layer", &layer)],
            ),
            None => trf("charts.diverged_loss", &[("step", &d.step)]),
        };
        self.alarm(plot, &text)
    }

    /// A thin frame around the plot.
    pub fn border(&self, plot: &Rect) -> Res {
        self.outline(plot, [170, 170, 170], 1.0)
    }

    /// A message centred in `rect`, wrapped to its width.
    pub fn note(&self, rect: &Rect, text: &str, colour: Rgb) -> Res {
        let f = &self.surface;
        let lines = wrap(text, rect.w * 0.9, f.font);
        let line_height = 1.35 * f.font;
        let top = rect.y + rect.h / 2.0 - line_height * (lines.len() as f64 - 1.0) / 2.0;
        for (i, line) in lines.iter().enumerate() {
            let point = (rect.x + rect.w / 2.0, top + i as f64 * line_height);
            self.text(line, point, f.font, colour, (HPos::Center, VPos::Center))?;
        }
        Ok(())
    }

    /// A vertical colour bar: `map(t)` for t from 0 (bottom) to 1 (top), with
    /// ticks of `axis` (spanning the bar) and a label.
    pub fn colour_bar(
        &self,
        bar: &Rect,
        map: impl Fn(f64) -> Rgb,
        axis: &Axis,
        ticks: &[Tick],
        label: &str,
    ) -> Res {
        let rows = bar.h.round().max(1.0);
        self.blit(bar, |_, row| map(1.0 - row as f64 / (rows - 1.0).max(1.0)))?;
        self.border(bar)?;
        self.y_axis(bar, axis, ticks, label, Side::Right, INK)
    }
}
