//! RGBA pixel images painted in Rust and blitted with one `put_image_data`:
//! heatmaps, the decision regions, the normalized matrix, colour bars, and the
//! dataset's points (1024 antialiased discs cost a software canvas ~8 ms as
//! paths, well under 1 ms stamped here).

use super::colour::Rgb;

/// A `w x h` RGBA image whose top left corner is at device pixel (`x`, `y`).
pub struct Image<'a> {
    pub buf: &'a mut [u8],
    pub w: usize,
    pub h: usize,
    pub x: f64,
    pub y: f64,
}

impl Image<'_> {
    /// Sets every pixel to `paint(column, row)`, row by row.
    pub fn fill(&mut self, mut paint: impl FnMut(usize, usize) -> Rgb) {
        for (row, line) in self.buf.chunks_exact_mut(self.w * 4).enumerate() {
            for (column, pixel) in line.chunks_exact_mut(4).enumerate() {
                let [r, g, b] = paint(column, row);
                pixel.copy_from_slice(&[r, g, b, 255]);
            }
        }
    }

    /// Like [`Image::fill`] for images whose pixel rows repeat: row `r` shows
    /// `keys[r]`, and a row with the same key as the row above is copied
    /// rather than painted (heatmap bins and matrix cells span many rows).
    pub fn fill_rows(&mut self, keys: &[usize], mut paint: impl FnMut(usize, usize) -> Rgb) {
        let stride = self.w * 4;
        for row in 0..self.h {
            let key = keys.get(row).copied().unwrap_or(usize::MAX);
            let start = row * stride;
            if row > 0 && keys.get(row - 1) == Some(&key) {
                self.buf.copy_within(start - stride..start, start);
                continue;
            }
            for (column, pixel) in self.buf[start..start + stride]
                .chunks_exact_mut(4)
                .enumerate()
            {
                let [r, g, b] = paint(key, column);
                pixel.copy_from_slice(&[r, g, b, 255]);
            }
        }
    }

    /// An antialiased disc of `radius` device pixels centred at device pixel
    /// (`cx`, `cy`), blended over what is there; clipped to the image.
    pub fn disc(&mut self, cx: f64, cy: f64, radius: f64, colour: Rgb) {
        let (cx, cy) = (cx - self.x, cy - self.y);
        if !(cx.is_finite() && cy.is_finite()) {
            return;
        }
        let reach = radius + 1.0;
        let (x0, x1) = (
            (cx - reach).floor().max(0.0),
            (cx + reach).ceil().min(self.w as f64),
        );
        let (y0, y1) = (
            (cy - reach).floor().max(0.0),
            (cy + reach).ceil().min(self.h as f64),
        );
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        for row in y0 as usize..y1 as usize {
            let dy = row as f64 + 0.5 - cy;
            for column in x0 as usize..x1 as usize {
                let dx = column as f64 + 0.5 - cx;
                let cover = (radius + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
                if cover <= 0.0 {
                    continue;
                }
                let at = (row * self.w + column) * 4;
                if let Some(pixel) = self.buf.get_mut(at..at + 3) {
                    for (channel, value) in pixel.iter_mut().zip(colour) {
                        *channel =
                            (*channel as f64 + (value as f64 - *channel as f64) * cover) as u8;
                    }
                }
            }
        }
    }
}
