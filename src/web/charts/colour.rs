//! Colour maps and the fixed palette of every chart, all colour-blind safe.
//!
//! - [`density`]: viridis (perceptually uniform, readable in greyscale), from a
//!   256-entry table built once from the polynomial fit of matplotlib's map
//!   (Matt Zucker's degree-6 fit, error below 1/255 per channel).
//! - [`class_probability`]: light blue -> near white -> light orange, a
//!   background for the blue and orange class points.
//! - [`signed`]: blue -> white -> red (ColorBrewer RdBu) for signed values.
//! - [`depth`]: viridis cut short of its pale yellow end, for lines on white.
//!
//! Series colours come from the Okabe-Ito palette.

use std::sync::OnceLock;

/// An opaque sRGB colour.
pub type Rgb = [u8; 3];

pub const BACKGROUND: Rgb = [255, 255, 255];
pub const INK: Rgb = [34, 34, 34];
pub const MUTED: Rgb = [110, 110, 110];
pub const GRID: Rgb = [228, 228, 228];
pub const ALARM: Rgb = [200, 30, 30];
/// Where there is nothing finite to show.
pub const NO_DATA: Rgb = [205, 205, 205];
/// Okabe-Ito blue, vermillion, bluish green, orange.
pub const BLUE: Rgb = [0, 114, 178];
pub const VERMILLION: Rgb = [213, 94, 0];
pub const GREEN: Rgb = [0, 158, 115];
pub const ORANGE: Rgb = [230, 159, 0];
/// Point colours of class 0 and class 1.
pub const CLASS: [Rgb; 2] = [[28, 92, 168], [214, 96, 10]];

/// Viridis polynomial coefficients c0..c6 per channel.
const VIRIDIS: [[f64; 3]; 7] = [
    [
        0.277_727_327_223_417_7,
        0.005_407_344_544_966_578,
        0.334_099_805_335_306_1,
    ],
    [
        0.105_093_043_108_577_4,
        1.404_613_529_898_575,
        1.384_590_162_594_685,
    ],
    [
        -0.330_861_828_725_556_3,
        0.214_847_559_468_213,
        0.095_095_163_028_236_59,
    ],
    [
        -4.634_230_498_983_486,
        -5.799_100_973_351_585,
        -19.332_440_956_279_87,
    ],
    [
        6.228_269_936_347_081,
        14.179_933_366_805_09,
        56.690_552_600_681_05,
    ],
    [
        4.776_384_997_670_288,
        -13.745_145_377_746_01,
        -65.353_032_633_372_34,
    ],
    [
        -5.435_455_855_934_631,
        4.645_852_612_178_535,
        26.312_435_249_583_2,
    ],
];

fn viridis_table() -> &'static [Rgb; 256] {
    static TABLE: OnceLock<[Rgb; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [[0u8; 3]; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let t = i as f64 / 255.0;
            for (channel, value) in entry.iter_mut().enumerate() {
                let v = VIRIDIS
                    .iter()
                    .rev()
                    .fold(0.0, |acc, c| acc * t + c[channel]);
                *value = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
        table
    })
}

/// Index into a 256-entry table for `t` in [0, 1] (NaN maps to 0).
fn index(t: f64) -> usize {
    if t.is_nan() {
        return 0;
    }
    (t.clamp(0.0, 1.0) * 255.0 + 0.5) as usize
}

/// Viridis at `t` in [0, 1]: dark purple (none) to yellow (most).
pub fn density(t: f64) -> Rgb {
    viridis_table()[index(t)]
}

/// Colour of hidden layer `layer` (1-based) of `depth`, dark (first) to green (last).
pub fn depth(layer: usize, depth: usize) -> Rgb {
    let t = if depth > 1 {
        (layer.saturating_sub(1)) as f64 / (depth - 1) as f64
    } else {
        0.0
    };
    density(0.05 + 0.75 * t)
}

/// Piecewise-linear interpolation through evenly spaced stops, `t` in [0, 1].
fn ramp(stops: &[Rgb], t: f64) -> Rgb {
    let t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
    let position = t * (stops.len() - 1) as f64;
    let i = (position.floor() as usize).min(stops.len() - 2);
    let f = position - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
}

/// Stops of the class-probability map: light blue, white, light orange.
const CLASS_STOPS: [Rgb; 5] = [
    [146, 190, 226],
    [200, 222, 240],
    [247, 247, 247],
    [253, 214, 170],
    [250, 176, 110],
];

/// Stops of the signed map (ColorBrewer RdBu, reversed).
const SIGNED_STOPS: [Rgb; 5] = [
    [33, 102, 172],
    [146, 197, 222],
    [247, 247, 247],
    [244, 165, 130],
    [178, 24, 43],
];

/// A 256-entry table of `ramp(stops, t)`.
fn table(stops: &[Rgb]) -> [Rgb; 256] {
    let mut table = [[0u8; 3]; 256];
    for (i, entry) in table.iter_mut().enumerate() {
        *entry = ramp(stops, i as f64 / 255.0);
    }
    table
}

/// Background for P(class 1) = `p`: light blue (class 0) to light orange (class 1).
pub fn class_probability(p: f64) -> Rgb {
    static TABLE: OnceLock<[Rgb; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| table(&CLASS_STOPS));
    table[if p.is_nan() { 128 } else { index(p) }]
}

/// A signed value `v` of a scale whose extreme is `extent`: blue (negative), white
/// (zero), red (positive); beyond the extent the end colours; NaN mid grey.
pub fn signed(v: f64, extent: f64) -> Rgb {
    static TABLE: OnceLock<[Rgb; 256]> = OnceLock::new();
    if v.is_nan() {
        return [150, 150, 150];
    }
    let table = TABLE.get_or_init(|| table(&SIGNED_STOPS));
    table[index(0.5 + 0.5 * v / extent.max(f64::MIN_POSITIVE))]
}

/// `rgba(...)` CSS text of a colour with opacity `alpha`.
pub fn css(colour: Rgb, alpha: f64) -> String {
    format!("rgba({},{},{},{alpha})", colour[0], colour[1], colour[2])
}
