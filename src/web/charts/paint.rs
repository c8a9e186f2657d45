//! Drawing on a canvas: a [`Painter`] wraps plotters-canvas's drawing area for
//! text, lines and shapes, and the raw 2-D context for what plotters has no
//! fast path for: RGBA pixel blits (`put_image_data`), clipping, dash patterns
//! and many dots in one path.
//!
//! Axes are drawn by our own `axes.rs`, not plotters' `ChartBuilder` mesh: on wasm,
//! plotters measures every tick label by inserting a `<span>` into the document
//! and reading its size back (a forced layout per label, and a panic where there
//! is no document, e.g. in a Worker). Our tick labels are placed by anchor,
//! which the canvas resolves itself, so nothing is measured.

use std::cell::RefCell;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::colour::{self, Rgb, BACKGROUND};
use super::layout::{Rect, Surface};
use super::pixels::Image;

pub type Res = Result<(), String>;

thread_local! {
    /// The RGBA buffer of pixel blits, reused across frames.
    static PIXELS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Device pixels per CSS pixel of `canvas` (1 when it is not laid out).
pub fn device_scale(canvas: &HtmlCanvasElement) -> f64 {
    let css = canvas.client_width();
    if css > 0 {
        canvas.width() as f64 / css as f64
    } else {
        1.0
    }
}

fn js(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| js_sys::JSON::stringify(&error).ok().map(String::from))
        .unwrap_or_else(|| "unknown canvas error".into())
}

fn plot_err(error: impl std::fmt::Display) -> String {
    format!("drawing failed: {error}")
}

fn rgb(colour: Rgb) -> RGBColor {
    RGBColor(colour[0], colour[1], colour[2])
}

fn at(point: (f64, f64)) -> (i32, i32) {
    (point.0.round() as i32, point.1.round() as i32)
}

/// One chart being drawn: the canvas's drawing area, its context and surface.
pub struct Painter {
    area: DrawingArea<CanvasBackend, Shift>,
    ctx: CanvasRenderingContext2d,
    pub surface: Surface,
}

impl Painter {
    /// Takes the canvas's 2-D context and clears it to the background.
    pub fn new(canvas: &HtmlCanvasElement) -> Result<Painter, String> {
        let no_context =
            || "the canvas has no 2d context (is it already used for WebGL?)".to_string();
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .map_err(|_| no_context())?
            .ok_or_else(no_context)?
            .dyn_into()
            .map_err(|_| no_context())?;
        let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(no_context)?;
        let surface = Surface::new(canvas.width(), canvas.height(), device_scale(canvas));
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            .map_err(js)?;
        ctx.set_global_alpha(1.0);
        ctx.set_line_dash(&js_sys::Array::new()).map_err(js)?;
        ctx.set_fill_style_str(&colour::css(BACKGROUND, 1.0));
        ctx.fill_rect(0.0, 0.0, surface.width, surface.height);
        Ok(Painter {
            area: backend.into_drawing_area(),
            ctx,
            surface,
        })
    }

    /// A line style `width` CSS pixels wide; 0 is one device pixel, which a
    /// software canvas strokes several times faster than anything wider.
    fn stroke(&self, colour: Rgb, alpha: f64, width: f64) -> ShapeStyle {
        let width = if width > 0.0 {
            self.surface.px(width).round().max(1.0)
        } else {
            1.0
        };
        let width = width as u32;
        rgb(colour).mix(alpha).stroke_width(width)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn put_text(
        &self,
        text: &str,
        point: (f64, f64),
        size: f64,
        colour: Rgb,
        anchor: (HPos, VPos),
        bold: bool,
        rotate: bool,
    ) -> Res {
        let family = FontFamily::Name(crate::web::i18n::font_family());
        let mut font = FontDesc::new(family, size, FontStyle::Normal);
        if bold {
            font = font.style(FontStyle::Bold);
        }
        if rotate {
            font = font.transform(FontTransform::Rotate270);
        }
        let ink = rgb(colour);
        let style = font.color(&ink).pos(Pos::new(anchor.0, anchor.1));
        self.area
            .draw(&Text::new(text, at(point), style))
            .map_err(plot_err)
    }

    /// Text at `point`, placed by `anchor` (horizontal, vertical).
    pub fn text(
        &self,
        text: &str,
        point: (f64, f64),
        size: f64,
        colour: Rgb,
        anchor: (HPos, VPos),
    ) -> Res {
        self.put_text(text, point, size, colour, anchor, false, false)
    }

    /// Bold text.
    pub fn bold(
        &self,
        text: &str,
        point: (f64, f64),
        size: f64,
        colour: Rgb,
        anchor: (HPos, VPos),
    ) -> Res {
        self.put_text(text, point, size, colour, anchor, true, false)
    }

    /// A polyline; points may be fractional.
    pub fn line(&self, points: &[(f64, f64)], colour: Rgb, alpha: f64, width: f64) -> Res {
        if points.len() < 2 {
            return Ok(());
        }
        let points: Vec<(i32, i32)> = points.iter().map(|p| at(*p)).collect();
        self.area
            .draw(&PathElement::new(points, self.stroke(colour, alpha, width)))
            .map_err(plot_err)
    }

    /// A dashed polyline with dashes and gaps of `dash` CSS pixels.
    pub fn dashed(
        &self,
        points: &[(f64, f64)],
        colour: Rgb,
        alpha: f64,
        width: f64,
        dash: f64,
    ) -> Res {
        let pattern = js_sys::Array::of2(
            &self.surface.px(dash).into(),
            &self.surface.px(dash * 0.8).into(),
        );
        self.ctx.set_line_dash(&pattern).map_err(js)?;
        let drawn = self.line(points, colour, alpha, width);
        self.ctx.set_line_dash(&js_sys::Array::new()).map_err(js)?;
        drawn
    }

    pub fn fill(&self, rect: &Rect, colour: Rgb, alpha: f64) -> Res {
        let corners = [at((rect.x, rect.y)), at((rect.right(), rect.bottom()))];
        self.area
            .draw(&Rectangle::new(corners, rgb(colour).mix(alpha).filled()))
            .map_err(plot_err)
    }

    /// A rectangle outline of `width` CSS pixels drawn inside `rect`.
    pub fn outline(&self, rect: &Rect, colour: Rgb, width: f64) -> Res {
        self.ctx.set_stroke_style_str(&colour::css(colour, 1.0));
        let w = self.surface.px(width).round().max(1.0);
        self.ctx.set_line_width(w);
        self.ctx.stroke_rect(
            rect.x.round() + w / 2.0,
            rect.y.round() + w / 2.0,
            (rect.w.round() - w).max(0.0),
            (rect.h.round() - w).max(0.0),
        );
        Ok(())
    }

    pub fn polygon(&self, points: &[(f64, f64)], colour: Rgb, alpha: f64) -> Res {
        let points: Vec<(i32, i32)> = points.iter().map(|p| at(*p)).collect();
        self.area
            .draw(&Polygon::new(points, rgb(colour).mix(alpha).filled()))
            .map_err(plot_err)
    }

    /// Filled dots of `radius` CSS pixels, one path per colour, on slightly
    /// larger dots of the `outline` colour if given (a fill is much cheaper than
    /// a stroke on a software canvas).
    pub fn dots(
        &self,
        points: impl Iterator<Item = (f64, f64)>,
        radius: f64,
        colour: Rgb,
        outline: Option<Rgb>,
    ) -> Res {
        let points: Vec<(f64, f64)> = points
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let layers = [(outline, radius + 0.8), (Some(colour), radius)];
        for (colour, radius) in layers {
            let Some(colour) = colour else { continue };
            let r = self.surface.px(radius);
            self.ctx.begin_path();
            for (x, y) in &points {
                self.ctx.move_to(x + r, *y);
                self.ctx
                    .arc(*x, *y, r, 0.0, std::f64::consts::TAU)
                    .map_err(js)?;
            }
            self.ctx.set_fill_style_str(&colour::css(colour, 1.0));
            self.ctx.fill();
        }
        Ok(())
    }

    /// Runs `draw` with everything clipped to `rect`.
    pub fn clipped(&self, rect: &Rect, draw: impl FnOnce(&Painter) -> Res) -> Res {
        self.ctx.save();
        self.ctx.begin_path();
        self.ctx.rect(rect.x, rect.y, rect.w, rect.h);
        self.ctx.clip();
        let drawn = draw(self);
        self.ctx.restore();
        drawn
    }

    /// Paints the pixels of `rect` (rounded to whole pixels) with `draw` and
    /// blits them with one `put_image_data`.
    pub fn image(&self, rect: &Rect, draw: impl FnOnce(&mut Image)) -> Res {
        let (x, y) = (rect.x.round().max(0.0), rect.y.round().max(0.0));
        let w = (rect.right().round().min(self.surface.width) - x).max(0.0) as usize;
        let h = (rect.bottom().round().min(self.surface.height) - y).max(0.0) as usize;
        if w == 0 || h == 0 {
            return Ok(());
        }
        PIXELS.with(|pixels| {
            let mut buf = pixels.borrow_mut();
            buf.resize(w * h * 4, 255);
            draw(&mut Image {
                buf: &mut buf[..],
                w,
                h,
                x,
                y,
            });
            let data =
                ImageData::new_with_u8_clamped_array_and_sh(Clamped(&buf[..]), w as u32, h as u32)
                    .map_err(js)?;
            self.ctx.put_image_data(&data, x, y).map_err(js)
        })
    }

    /// Paints every pixel of `rect` with `paint(column, row)` (see [`Painter::image`]).
    pub fn blit(&self, rect: &Rect, paint: impl FnMut(usize, usize) -> Rgb) -> Res {
        self.image(rect, |image| image.fill(paint))
    }

    /// A white line with a dark halo, visible on any colour map.
    pub fn halo(&self, points: &[(f64, f64)], dashed: bool) -> Res {
        if dashed {
            self.dashed(points, [0, 0, 0], 0.55, 3.0, 4.0)?;
            self.dashed(points, BACKGROUND, 1.0, 1.4, 4.0)
        } else {
            self.line(points, [0, 0, 0], 0.55, 3.5)?;
            self.line(points, BACKGROUND, 1.0, 1.6)
        }
    }
}
