//! The moments and extremes of one buffer: count, mean, population std, min,
//! max and non-finite count over the finite values ([`summary_of`]).
//!
//! The sums run in four interleaved f64 lanes (value `i` into lane `i % 4`,
//! added in order), so that consecutive adds do not wait on each other; the
//! numbers are the same, bit for bit, as a loop that adds lane by lane. A
//! first loop assumes every value finite (in wasm on f64x2 and f32x4); only
//! when its sums say otherwise does a second, checking every value, run.

use super::Summary;
use crate::core::histogram::Histogram;

/// Moments and extremes of the finite `values` (its histogram left empty).
pub(super) fn summary_of(values: &[f32]) -> Summary {
    // Finite values give finite sums (a square of an f32 is below 2^256 and
    // cannot overflow an f64 sum), any other value a non-finite one: so the
    // loop without checks decides whether the loop with them is needed.
    let mut lanes = Lanes::of_finite(values);
    if !lanes
        .sums
        .iter()
        .chain(&lanes.squares)
        .all(|s| s.is_finite())
    {
        lanes = Lanes::of_any(values);
    }
    let Lanes {
        counts,
        sums,
        squares,
        mins,
        maxs,
    } = lanes;
    let min = first_equal(
        values,
        mins.into_iter()
            .fold(f32::INFINITY, |m, v| if v < m { v } else { m }),
    );
    let max = first_equal(
        values,
        maxs.into_iter()
            .fold(f32::NEG_INFINITY, |m, v| if v > m { v } else { m }),
    );
    let n: usize = counts.iter().sum();
    let (sum, sum_sq): (f64, f64) = (sums.iter().sum(), squares.iter().sum());
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let var = if n > 0 {
        (sum_sq / n as f64 - mean * mean).max(0.0)
    } else {
        0.0
    };
    // With no finite value there are no moments: NaN, as torch's mean/std
    // of an all-NaN tensor (never a finite-looking 0).
    let none = |v: f32| if n > 0 { v } else { f32::NAN };
    Summary {
        count: values.len(),
        mean: none(mean as f32),
        std: none(var.sqrt() as f32),
        min: none(min),
        max: none(max),
        nonfinite: values.len() - n,
        histogram: Histogram::default(),
    }
}

/// Count, sum, sum of squares, min and max of the finite values in each of
/// four lanes (value `i` in lane `i % 4`, in order).
struct Lanes {
    counts: [usize; LANES],
    sums: [f64; LANES],
    squares: [f64; LANES],
    mins: [f32; LANES],
    maxs: [f32; LANES],
}

const LANES: usize = 4;

impl Lanes {
    fn new() -> Lanes {
        Lanes {
            counts: [0; LANES],
            sums: [0.0; LANES],
            squares: [0.0; LANES],
            mins: [f32::INFINITY; LANES],
            maxs: [f32::NEG_INFINITY; LANES],
        }
    }

    /// The lanes of `values` when all are finite (else the sums are not).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn of_finite(values: &[f32]) -> Lanes {
        let mut lanes = Lanes::new();
        let mut chunks = values.chunks_exact(LANES);
        for chunk in &mut chunks {
            lanes.add_finite(chunk);
        }
        lanes.add_finite(chunks.remainder());
        lanes
    }

    /// As above, two f64x2 for the sums and squares of lanes 0-1 and 2-3 and
    /// one f32x4 for the extremes: each lane adds the same values in the same
    /// order (LLVM vectorizes the scalar loop only now and then).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn of_finite(values: &[f32]) -> Lanes {
        use core::arch::wasm32::*;
        let zero = f64x2_splat(0.0);
        let (mut sums, mut squares) = ([zero; 2], [zero; 2]);
        let (mut mins, mut maxs) = (f32x4_splat(f32::INFINITY), f32x4_splat(f32::NEG_INFINITY));
        let mut chunks = values.chunks_exact(LANES);
        for chunk in &mut chunks {
            let v = f32x4(chunk[0], chunk[1], chunk[2], chunk[3]);
            let halves = [
                f64x2_promote_low_f32x4(v),
                f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 2, 3>(v, v)),
            ];
            for (half, x) in halves.into_iter().enumerate() {
                sums[half] = f64x2_add(sums[half], x);
                squares[half] = f64x2_add(squares[half], f64x2_mul(x, x));
            }
            // pmin(m, v) is `v < m ? v : m`, pmax(m, v) `m < v ? v : m`.
            mins = f32x4_pmin(mins, v);
            maxs = f32x4_pmax(maxs, v);
        }
        let pair = |x: [v128; 2]| {
            [
                f64x2_extract_lane::<0>(x[0]),
                f64x2_extract_lane::<1>(x[0]),
                f64x2_extract_lane::<0>(x[1]),
                f64x2_extract_lane::<1>(x[1]),
            ]
        };
        let quad = |x: v128| {
            [
                f32x4_extract_lane::<0>(x),
                f32x4_extract_lane::<1>(x),
                f32x4_extract_lane::<2>(x),
                f32x4_extract_lane::<3>(x),
            ]
        };
        let mut lanes = Lanes {
            counts: [values.len() / LANES; LANES],
            sums: pair(sums),
            squares: pair(squares),
            mins: quad(mins),
            maxs: quad(maxs),
        };
        lanes.add_finite(chunks.remainder());
        lanes
    }

    /// Adds up to [`LANES`] finite values, value `i` to lane `i`.
    fn add_finite(&mut self, values: &[f32]) {
        for (lane, &v) in values.iter().enumerate() {
            let x = v as f64;
            self.counts[lane] += 1;
            self.sums[lane] += x;
            self.squares[lane] += x * x;
            self.mins[lane] = if v < self.mins[lane] {
                v
            } else {
                self.mins[lane]
            };
            self.maxs[lane] = if v > self.maxs[lane] {
                v
            } else {
                self.maxs[lane]
            };
        }
    }

    /// The lanes of any `values`, branch-free: a non-finite value adds 0
    /// (x + 0.0 == x for the sums here, which start at +0) and is never below
    /// the min nor above the max (compared, not f32::min, which is a libm
    /// call in wasm). Equal to [`Lanes::of_finite`] when all are finite.
    fn of_any(values: &[f32]) -> Lanes {
        let mut lanes = Lanes::new();
        let mut add = |lane: usize, v: f32| {
            let finite = v.is_finite();
            let x = if finite { v as f64 } else { 0.0 };
            lanes.counts[lane] += usize::from(finite);
            lanes.sums[lane] += x;
            lanes.squares[lane] += x * x;
            let (low, high) = if finite {
                (v, v)
            } else {
                (f32::INFINITY, f32::NEG_INFINITY)
            };
            lanes.mins[lane] = if low < lanes.mins[lane] {
                low
            } else {
                lanes.mins[lane]
            };
            lanes.maxs[lane] = if high > lanes.maxs[lane] {
                high
            } else {
                lanes.maxs[lane]
            };
        };
        let mut chunks = values.chunks_exact(LANES);
        for chunk in &mut chunks {
            #[allow(clippy::needless_range_loop)]
            for lane in 0..LANES {
                add(lane, chunk[lane]);
            }
        }
        for (lane, &v) in chunks.remainder().iter().enumerate() {
            add(lane, v);
        }
        lanes
    }
}

/// `extreme`, with the sign of the first zero in `values` when it is zero:
/// a min or max taken in order keeps the first of equal values, and 0.0 and
/// -0.0 are the only equal values that print differently.
fn first_equal(values: &[f32], extreme: f32) -> f32 {
    match extreme == 0.0 {
        true => values
            .iter()
            .copied()
            .find(|&v| v == 0.0)
            .unwrap_or(extreme),
        false => extreme,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-loop summary equals the branching loop it replaced, bit for
    /// bit: lane `i % 4` sums, extremes in order (the first of 0.0 and -0.0).
    #[test]
    fn the_summary_equals_an_in_order_loop() {
        let mut values: Vec<f32> = (0..1003)
            .map(|i| ((i as f32) * 0.618).sin() * 10f32.powi(i % 7 - 3))
            .collect();
        values[5] = f32::NAN;
        values[17] = f32::INFINITY;
        values[400] = f32::NEG_INFINITY;
        let positive: Vec<f32> = values.iter().map(|v| v.abs()).collect();
        let zeros = [vec![3.0, -0.0, 2.0, 0.0, 0.0], vec![0.0; 9]].concat();
        let negative = [vec![-1.0, 0.0, -0.0], vec![-2.0; 6]].concat();
        for values in [values, positive, zeros, negative, vec![], vec![f32::NAN; 3]] {
            let got = summary_of(&values);
            let (mut n, mut sums, mut squares) = (0, [0.0f64; 4], [0.0f64; 4]);
            let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
            for (i, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                n += 1;
                sums[i % 4] += v as f64;
                squares[i % 4] += v as f64 * v as f64;
                if v < min {
                    min = v;
                }
                if v > max {
                    max = v;
                }
            }
            let mean = sums.iter().sum::<f64>() / n as f64;
            let var = (squares.iter().sum::<f64>() / n as f64 - mean * mean).max(0.0);
            let bits = |v: f32| {
                if n > 0 {
                    v.to_bits()
                } else {
                    f32::NAN.to_bits()
                }
            };
            assert_eq!(got.mean.to_bits(), bits(mean as f32));
            assert_eq!(got.std.to_bits(), bits(var.sqrt() as f32));
            assert_eq!(
                (got.min.to_bits(), got.max.to_bits()),
                (bits(min), bits(max))
            );
            assert_eq!((got.count, got.nonfinite), (values.len(), values.len() - n));
        }
    }
}
