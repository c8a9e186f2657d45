//! Row-major f32 matrix kernels: everything the network's Linear layers need.
//!
//! Every product is one kernel, [`gemm`], register-tiled so that LLVM vectorizes
//! it without fast-math (on wasm32 with `+simd128`, as f32x4). The three
//! products of a Linear layer map onto it with a stored transpose:
//! - forward  `A = H W^T`:  `gemm(H, W^T)`   (W^T kept next to W)
//! - backward `dH = dA W`:  `gemm(dA, W)`
//! - backward `dW = dA^T H`: `gemm(transpose(dA), H)`
//!
//! Each costs `2 n k m` floating-point operations.

/// Rows and columns of the register tile of [`gemm`]: a 4 x 8 block of `out`
/// lives in eight 4-lane registers (f32x4 on wasm simd128, SSE on x86-64)
/// while `p` runs over the shared dimension, so each step loads two vectors of
/// `b` and four scalars of `a` for eight vector multiply-adds.
const TILE_ROWS: usize = 4;
const TILE_COLS: usize = 8;

/// Products smaller than this many floating-point operations stay on one
/// thread in the threaded build: below it, handing rows to the pool costs more
/// than it saves (`cargo xtask bench --threads`: the S config, 64 x 64 x 64
/// products, ran at 0.7x on two threads; M, 128 x 128 x 128, at 2x).
#[cfg(feature = "threads")]
const PARALLEL_MIN_FLOPS: usize = 1 << 21;

/// `out (n x m) = a (n x k) * b (k x m)`, all row-major.
///
/// With the `threads` feature, a large product is split by rows of `out` into
/// one band per thread of rayon's pool (a multiple of the tile height each).
/// Every entry is still the same sum in the same order, so the result is
/// bit-identical to the single-threaded one (tests/threads.rs checks it).
pub fn gemm(a: &[f32], b: &[f32], out: &mut [f32], n: usize, k: usize, m: usize) {
    assert!(a.len() >= n * k && b.len() >= k * m && out.len() >= n * m);
    #[cfg(feature = "threads")]
    {
        let threads = rayon::current_num_threads();
        if threads > 1 && n >= 2 * TILE_ROWS && 2 * n * k * m >= PARALLEL_MIN_FLOPS {
            use rayon::prelude::*;
            let band = n.div_ceil(threads).next_multiple_of(TILE_ROWS);
            out[..n * m]
                .par_chunks_mut(band * m)
                .zip(a[..n * k].par_chunks(band * k))
                .for_each(|(out, a)| gemm_rows(a, b, out, out.len() / m, k, m));
            return;
        }
    }
    gemm_rows(a, b, out, n, k, m);
}

/// [`gemm`] on the calling thread.
fn gemm_rows(a: &[f32], b: &[f32], out: &mut [f32], n: usize, k: usize, m: usize) {
    let full_cols = m - m % TILE_COLS;
    let full_rows = n - n % TILE_ROWS;
    // Column panels outside, so the k x 8 panel of b stays in L1 across rows.
    for j0 in (0..full_cols).step_by(TILE_COLS) {
        for i0 in (0..full_rows).step_by(TILE_ROWS) {
            let mut acc = [[0.0f32; TILE_COLS]; TILE_ROWS];
            let a_rows: [&[f32]; TILE_ROWS] =
                std::array::from_fn(|r| &a[(i0 + r) * k..(i0 + r + 1) * k]);
            for p in 0..k {
                let b_tile: &[f32; TILE_COLS] = b[p * m + j0..p * m + j0 + TILE_COLS]
                    .try_into()
                    .expect("tile is TILE_COLS wide");
                for r in 0..TILE_ROWS {
                    let a_value = a_rows[r][p];
                    for c in 0..TILE_COLS {
                        acc[r][c] += a_value * b_tile[c];
                    }
                }
            }
            for (r, acc_row) in acc.iter().enumerate() {
                out[(i0 + r) * m + j0..(i0 + r) * m + j0 + TILE_COLS].copy_from_slice(acc_row);
            }
        }
        gemm_edge(a, b, out, (full_rows, n), (j0, j0 + TILE_COLS), k, m);
    }
    gemm_edge(a, b, out, (0, n), (full_cols, m), k, m);
}

/// The plain triple loop for the rows `rows.0..rows.1` and columns
/// `cols.0..cols.1` of `out` that do not fill a whole tile.
fn gemm_edge(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    rows: (usize, usize),
    cols: (usize, usize),
    k: usize,
    m: usize,
) {
    for i in rows.0..rows.1 {
        for j in cols.0..cols.1 {
            let mut sum = 0.0f32;
            for p in 0..k {
                sum += a[i * k + p] * b[p * m + j];
            }
            out[i * m + j] = sum;
        }
    }
}

/// `dst (cols x rows) = src (rows x cols)^T`.
pub fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    debug_assert!(src.len() >= rows * cols && dst.len() >= rows * cols);
    for i in 0..rows {
        for j in 0..cols {
            dst[j * rows + i] = src[i * cols + j];
        }
    }
}

/// Adds `bias` to every row of `out (rows x bias.len())`.
pub fn add_row(out: &mut [f32], bias: &[f32]) {
    for row in out.chunks_exact_mut(bias.len()) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// `out[j] = sum_i m[i, j]` over the rows of `m (rows x out.len())`.
pub fn column_sums(m: &[f32], out: &mut [f32]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for row in m.chunks_exact(out.len()) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tiled kernel against the textbook triple loop, on shapes that hit
    /// every edge case (partial row tiles, partial column tiles, k = 1).
    #[test]
    fn gemm_matches_the_naive_product() {
        for (n, k, m) in [
            (1, 1, 1),
            (4, 3, 8),
            (5, 7, 9),
            (13, 1, 17),
            (64, 2, 64),
            (6, 33, 2),
        ] {
            let a: Vec<f32> = (0..n * k)
                .map(|i| ((i * 7 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..k * m)
                .map(|i| ((i * 5 % 13) as f32 - 6.0) / 4.0)
                .collect();
            let mut out = vec![f32::NAN; n * m];
            gemm(&a, &b, &mut out, n, k, m);
            for i in 0..n {
                for j in 0..m {
                    let naive: f32 = (0..k).map(|p| a[i * k + p] * b[p * m + j]).sum();
                    let got = out[i * m + j];
                    assert!(
                        (got - naive).abs() <= 1e-5 * (1.0 + naive.abs()),
                        "{n}x{k}x{m} [{i},{j}]"
                    );
                }
            }
        }
    }
}
