//! Collapse measures: how much of a layer's output still depends on the input.
//!
//! The pooled std of h (over all batch x width values, [`super::stats`]) mixes
//! two spreads: across units (for a deep net at init mostly the biases) and
//! across samples. A network can keep the pooled std flat over depth while
//! every sample is mapped to the same vector. Two measures separate them, for
//! h as a `rows x width` row-major matrix, one row per sample:
//!
//! - **sample spread** = mean over units j of std_i(h_ij), each unit's
//!   population std over the batch. 0 when every sample gives the same h.
//! - **sample cosine** = mean over ordered pairs i != j of cos(h_i, h_j), on
//!   the raw (uncentred) rows. 1 when all rows point the same way. With unit
//!   rows u_i = h_i / |h_i| and S = sum_i u_i,
//!   `sum_{i!=j} u_i.u_j = |S|^2 - sum_i |u_i|^2 = |S|^2 - m`
//!   over the m rows used, so the mean, `(|S|^2 - m) / (m (m - 1))`, costs
//!   O(rows x width) instead of O(rows^2 x width).
//!
//! Both are computed in f64 and returned as f32. Degenerate cases:
//! - spread: a unit's std is over its finite values; a unit with fewer than
//!   two finite values is left out of the mean. None when no unit is left,
//!   which includes batch 1 (one sample has no spread to measure).
//! - cosine: a row with a non-finite entry or with norm 0 (e.g. every ReLU
//!   off for that sample) has no direction and is left out. None when fewer
//!   than two rows are left, which includes batch 1.

/// Mean over units of each unit's population std over the rows (see the
/// module docs); `values` is `rows x width` row-major.
pub fn sample_spread(values: &[f32], width: usize) -> Option<f32> {
    if width == 0 {
        return None;
    }
    // Two passes (mean, then squared deviations) rather than E[x^2] - E[x]^2:
    // a collapsed layer has spreads near 1e-6 around means near 1, which the
    // one-pass formula would lose to cancellation. The first loop is
    // branch-free, so that it vectorizes natively: a non-finite value adds 0
    // (to sums that start at +0, where x + 0.0 == x). In wasm, where LLVM
    // vectorizes neither loop, `spread_simd` does four columns at a time.
    let mut counts = vec![0u32; width];
    let mut means = vec![0.0f64; width];
    for row in values.chunks_exact(width) {
        let done = spread_simd::add_sums(row, &mut counts, &mut means);
        add_sums(&row[done..], &mut counts[done..], &mut means[done..]);
    }
    for (mean, &count) in means.iter_mut().zip(&counts) {
        *mean /= count.max(1) as f64;
    }
    let mut squares = vec![0.0f64; width];
    for row in values.chunks_exact(width) {
        let done = spread_simd::add_squares(row, &means, &mut squares);
        add_squares(&row[done..], &means[done..], &mut squares[done..]);
    }
    let (mut units, mut total) = (0usize, 0.0f64);
    for (square, &count) in squares.iter().zip(&counts) {
        if count >= 2 {
            units += 1;
            total += (square / count as f64).sqrt();
        }
    }
    (units > 0).then(|| (total / units as f64) as f32)
}

/// Adds one row's finite values to their columns' counts and sums; a
/// non-finite value adds 0, branch-free.
fn add_sums(row: &[f32], counts: &mut [u32], sums: &mut [f64]) {
    for ((count, sum), &v) in counts.iter_mut().zip(sums).zip(row) {
        let finite = v.is_finite();
        *count += u32::from(finite);
        *sum += if finite { v as f64 } else { 0.0 };
    }
}

/// Adds one row's squared deviations from its columns' means (finite
/// values only).
fn add_squares(row: &[f32], means: &[f64], squares: &mut [f64]) {
    for ((square, mean), &v) in squares.iter_mut().zip(means).zip(row) {
        if v.is_finite() {
            let d = v as f64 - mean;
            *square += d * d;
        }
    }
}

/// The two loops of [`sample_spread`] four columns at a time, in wasm (LLVM
/// vectorizes neither there): the same operations on each column in the
/// same order, so the same bits. A non-finite value is masked to +0.0 (its
/// sum) or its square to +0.0; adding +0.0 to a sum that starts at +0.0 or
/// to a sum of squares (never -0.0) changes no bit. Each returns how many
/// columns it did, the rest left to the scalar loops.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod spread_simd {
    use core::arch::wasm32::*;

    fn finite(v: v128) -> v128 {
        i32x4_lt(v128_and(v, i32x4_splat(i32::MAX)), i32x4_splat(0x7f80_0000))
    }

    fn halves(v: v128) -> [v128; 2] {
        [
            f64x2_promote_low_f32x4(v),
            f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 2, 3>(v, v)),
        ]
    }

    /// `sums[0..2] += x`, lane by lane.
    fn add_f64(sums: &mut [f64], x: v128) {
        let sum = f64x2_add(f64x2(sums[0], sums[1]), x);
        sums[0] = f64x2_extract_lane::<0>(sum);
        sums[1] = f64x2_extract_lane::<1>(sum);
    }

    pub(super) fn add_sums(row: &[f32], counts: &mut [u32], sums: &mut [f64]) -> usize {
        let quads = row.chunks_exact(4).zip(counts.chunks_exact_mut(4));
        let mut done = 0;
        for ((r, c), s) in quads.zip(sums.chunks_exact_mut(4)) {
            let v = f32x4(r[0], r[1], r[2], r[3]);
            let finite = finite(v);
            let count = i32x4_sub(u32x4(c[0], c[1], c[2], c[3]), finite);
            c[0] = u32x4_extract_lane::<0>(count);
            c[1] = u32x4_extract_lane::<1>(count);
            c[2] = u32x4_extract_lane::<2>(count);
            c[3] = u32x4_extract_lane::<3>(count);
            let [low, high] = halves(v128_and(v, finite));
            add_f64(&mut s[..2], low);
            add_f64(&mut s[2..], high);
            done += 4;
        }
        done
    }

    pub(super) fn add_squares(row: &[f32], means: &[f64], squares: &mut [f64]) -> usize {
        let quads = row.chunks_exact(4).zip(means.chunks_exact(4));
        let mut done = 0;
        for ((r, m), s) in quads.zip(squares.chunks_exact_mut(4)) {
            let v = f32x4(r[0], r[1], r[2], r[3]);
            let finite = finite(v);
            let masks = [
                i64x2_extend_low_i32x4(finite),
                i64x2_extend_high_i32x4(finite),
            ];
            for (half, (x, mask)) in halves(v).into_iter().zip(masks).enumerate() {
                let d = f64x2_sub(x, f64x2(m[2 * half], m[2 * half + 1]));
                add_f64(&mut s[2 * half..], v128_and(f64x2_mul(d, d), mask));
            }
            done += 4;
        }
        done
    }
}

/// Elsewhere the scalar loops do every column.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod spread_simd {
    pub(super) fn add_sums(_: &[f32], _: &mut [u32], _: &mut [f64]) -> usize {
        0
    }

    pub(super) fn add_squares(_: &[f32], _: &[f64], _: &mut [f64]) -> usize {
        0
    }
}

/// Mean pairwise cosine similarity between the rows (see the module docs);
/// `values` is `rows x width` row-major.
pub fn sample_cosine(values: &[f32], width: usize) -> Option<f32> {
    if width == 0 {
        return None;
    }
    let mut direction_sum = vec![0.0f64; width];
    let mut used = 0usize;
    let mut add = |row: &[f32], squared_norm: f64| {
        // In f64 the squares of finite f32 cannot overflow, so a non-finite
        // sum means a non-finite entry.
        if !squared_norm.is_finite() || squared_norm == 0.0 {
            return;
        }
        used += 1;
        let inverse_norm = 1.0 / squared_norm.sqrt();
        for (s, &v) in direction_sum.iter_mut().zip(row) {
            *s += v as f64 * inverse_norm;
        }
    };
    // Each row's squared norm is summed in order; four rows at a time, so
    // that the four sums do not wait on each other.
    let mut quads = values.chunks_exact(4 * width);
    for quad in &mut quads {
        let rows: [&[f32]; 4] = std::array::from_fn(|r| &quad[r * width..(r + 1) * width]);
        let mut norms = [0.0f64; 4];
        for j in 0..width {
            for (norm, row) in norms.iter_mut().zip(&rows) {
                *norm += row[j] as f64 * row[j] as f64;
            }
        }
        for (row, norm) in rows.into_iter().zip(norms) {
            add(row, norm);
        }
    }
    for row in quads.remainder().chunks_exact(width) {
        add(row, row.iter().map(|&v| v as f64 * v as f64).sum::<f64>());
    }
    if used < 2 {
        return None;
    }
    let m = used as f64;
    let squared = direction_sum.iter().map(|s| s * s).sum::<f64>();
    Some(((squared - m) / (m * (m - 1.0))).clamp(-1.0, 1.0) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: Option<f32>, want: f64) {
        let got = got.expect("a value") as f64;
        assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
    }

    /// rows (1, 0), (0, 2), (3, 4): unit 0 has mean 4/3 and population
    /// variance (1/9 + 16/9 + 25/9)/3 = 14/9; unit 1 mean 2, variance 8/3.
    /// Cosines: (1,0).(0,2) = 0; (1,0).(3,4)/5 = 3/5; (0,2).(3,4)/10 = 4/5.
    #[test]
    fn a_three_by_two_matrix_by_hand() {
        let h = [1.0, 0.0, 0.0, 2.0, 3.0, 4.0];
        close(
            sample_spread(&h, 2),
            ((14.0f64 / 9.0).sqrt() + (8.0f64 / 3.0).sqrt()) / 2.0,
        );
        close(sample_cosine(&h, 2), (0.0 + 0.6 + 0.8) / 3.0);
    }

    #[test]
    fn identical_rows_have_no_spread_and_cosine_one() {
        let h = [0.3, -1.2, 2.5].repeat(5);
        close(sample_spread(&h, 3), 0.0);
        close(sample_cosine(&h, 3), 1.0);
    }

    #[test]
    fn orthogonal_rows_have_cosine_zero_and_opposite_rows_minus_one() {
        let orthogonal = [2.0, 0.0, 0.0, 0.0, -3.0, 0.0, 0.0, 0.0, 0.5];
        close(sample_cosine(&orthogonal, 3), 0.0);
        let opposite = [1.0, -2.0, -3.0, 6.0];
        close(sample_cosine(&opposite, 2), -1.0);
        // Each unit takes two values c and -3c, std |c - (-3c)| / 2 = 2|c|,
        // with c = 1 and c = -2.
        close(sample_spread(&opposite, 2), (2.0 + 4.0) / 2.0);
    }

    #[test]
    fn zero_and_non_finite_rows_are_left_out_of_the_cosine() {
        let h = [1.0, 1.0, 0.0, 0.0, f32::NAN, 1.0, 2.0, 2.0];
        close(sample_cosine(&h, 2), 1.0);
        // Unit 0 uses 1, 0, 2 (NaN left out); unit 1 uses 1, 0, 1, 2.
        let unit0 = (2.0f64 / 3.0).sqrt();
        let unit1 = 0.5f64.sqrt();
        close(sample_spread(&h, 2), (unit0 + unit1) / 2.0);
    }

    #[test]
    fn one_sample_or_one_usable_row_measures_nothing() {
        assert_eq!(sample_spread(&[1.0, 2.0, 3.0], 3), None);
        assert_eq!(sample_cosine(&[1.0, 2.0, 3.0], 3), None);
        assert_eq!(sample_cosine(&[1.0, 2.0, 0.0, 0.0], 2), None);
        assert_eq!(sample_spread(&[f32::INFINITY, 1.0, 2.0, f32::NAN], 2), None);
        assert_eq!(sample_spread(&[], 0), None);
        assert_eq!(sample_cosine(&[], 4), None);
    }

    /// Four rows' norms summed side by side give the bits of one row at a
    /// time, each in order (and the rows left over, alone).
    #[test]
    fn the_cosine_equals_a_row_by_row_loop() {
        let h: Vec<f32> = (0..7 * 13)
            .map(|i| ((i as f32) * 0.731).sin() * 10f32.powi(i % 5 - 2))
            .collect();
        let mut sums = [0.0f64; 13];
        let mut used = 0.0;
        for row in h.chunks_exact(13) {
            let norm = row.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
            used += 1.0;
            for (s, &v) in sums.iter_mut().zip(row) {
                *s += v as f64 * (1.0 / norm);
            }
        }
        let squared = sums.iter().map(|s| s * s).sum::<f64>();
        let want = ((squared - used) / (used * (used - 1.0))) as f32;
        assert_eq!(
            sample_cosine(&h, 13).map(f32::to_bits),
            Some(want.to_bits())
        );
    }
}
