//! Row-major f32 matrix kernels: everything the network's Linear layers need.
//!
//! Every product is one kernel, register-tiled so that LLVM vectorizes it
//! without fast-math (on wasm32 with `+simd128`, as f32x4). The three products
//! of a Linear layer map onto it, reading W as it is and dA transposed:
//! - forward  `A = H W^T + b`: [`gemm_bias_t`]`(H, W, b)`, the kernel reading
//!   W by columns as it packs its panels (below), the bias added to each
//!   finished sum as it is stored (the same rounding as a separate pass over
//!   A, without the pass)
//! - backward `dH = dA W`:   [`gemm`]`(dA, W)`
//! - backward `dW = dA^T H`: [`gemm`]`(dA^T, H)`, dA transposed into one
//!   buffer of the network first ([`transpose`], `Linear::backward`)
//!
//! The kernel packs each 8-column panel of the right operand into a
//! contiguous buffer on the stack before the row tiles read it (`tiles`).
//! Packing W's columns there replaced a transposed copy of W, refreshed after
//! every update: node 20, depth 64 x 256 (batch 64), best / median of 16
//! alternating runs, 80.1 / 92.9 -> 73.6 / 82.8 ms per step, the same bits;
//! M and S unchanged; and 4 bytes per weight less memory.
//!
//! Each costs `2 n k m` floating-point operations, and every entry is the sum
//! over the shared dimension in ascending order.

mod transpose;
pub use transpose::transpose;

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

/// Elementwise passes (activations, per-row norms, the timeline's
/// percentiles) shorter than this stay on one thread: a hand-off to the pool
/// costs tens of microseconds in wasm, as much as a pass over 2^14 entries
/// (`cargo xtask bench --threads`: with 2^14, M's 128 x 128 passes split and
/// M ran at 0.6-0.7x on two threads).
#[cfg(feature = "threads")]
const PARALLEL_MIN_LEN: usize = 1 << 16;

/// With the `threads` feature: the part length that splits an elementwise
/// pass over `len` entries into one contiguous part per thread of rayon's
/// pool, or None when it is too short to gain (or there is one thread).
#[cfg(feature = "threads")]
pub(crate) fn parallel_chunk(len: usize) -> Option<usize> {
    let threads = rayon::current_num_threads();
    (threads > 1 && len >= PARALLEL_MIN_LEN).then(|| len.div_ceil(threads))
}

/// `out (n x m) = a (n x k) * b (k x m)`, all row-major.
///
/// With the `threads` feature, a large product is split by rows of `out` into
/// one band per thread of rayon's pool (a multiple of the tile height each).
/// Every entry is still the same sum in the same order, so the result is
/// bit-identical to the single-threaded one (tests/threads.rs checks it).
pub fn gemm(a: &[f32], b: &[f32], out: &mut [f32], n: usize, k: usize, m: usize) {
    assert!(a.len() >= n * k);
    product(a, Right::Rows(b), None, out, (n, k, m));
}

/// `out (n x m) = a (n x k) * bt^T + bias`, with `bt (m x k)` row-major (a
/// Linear's weight W, for `x W^T + b`) and `bias` (length m) added to every
/// row, each entry rounded as `sum + bias` (as a separate pass would). The
/// same sums in the same order as [`gemm`] of the transpose of `bt`: only the
/// packing reads `bt` by columns.
pub fn gemm_bias_t(
    a: &[f32],
    bt: &[f32],
    bias: &[f32],
    out: &mut [f32],
    n: usize,
    k: usize,
    m: usize,
) {
    assert!(a.len() >= n * k && bias.len() >= m);
    product(a, Right::Columns(bt), Some(bias), out, (n, k, m));
}

/// The right operand of a product `(k x m)`: its rows, or its columns (the
/// rows of its transpose, `m x k`).
#[derive(Clone, Copy)]
enum Right<'a> {
    Rows(&'a [f32]),
    Columns(&'a [f32]),
}

impl Right<'_> {
    /// Entry `(p, j)`.
    #[inline(always)]
    fn at(&self, p: usize, j: usize, (k, m): (usize, usize)) -> f32 {
        match self {
            Right::Rows(b) => b[p * m + j],
            Right::Columns(bt) => bt[j * k + p],
        }
    }

    /// Rows `p0..p0 + panel.len()` of the columns `j0..j0 + TILE_COLS`.
    fn pack(&self, panel: &mut [[f32; TILE_COLS]], p0: usize, j0: usize, (k, m): (usize, usize)) {
        match self {
            Right::Rows(b) => {
                for (p, packed) in (p0..).zip(panel.iter_mut()) {
                    packed.copy_from_slice(&b[p * m + j0..p * m + j0 + TILE_COLS]);
                }
            }
            // Column by column: each is a contiguous run of `bt`.
            Right::Columns(bt) => {
                for c in 0..TILE_COLS {
                    let column = &bt[(j0 + c) * k + p0..(j0 + c) * k + p0 + panel.len()];
                    for (packed, &v) in panel.iter_mut().zip(column) {
                        packed[c] = v;
                    }
                }
            }
        }
    }
}

/// The entry points' shared body.
fn product(
    a: &[f32],
    b: Right,
    bias: Option<&[f32]>,
    out: &mut [f32],
    (n, k, m): (usize, usize, usize),
) {
    let (Right::Rows(values) | Right::Columns(values)) = b;
    assert!(values.len() >= k * m && out.len() >= n * m);
    #[cfg(feature = "threads")]
    {
        let threads = rayon::current_num_threads();
        if threads > 1 && n >= 2 * TILE_ROWS && 2 * n * k * m >= PARALLEL_MIN_FLOPS {
            use rayon::prelude::*;
            let band = n.div_ceil(threads).next_multiple_of(TILE_ROWS);
            out[..n * m]
                .par_chunks_mut(band * m)
                .enumerate()
                .for_each(|(index, out)| {
                    let rows = out.len() / m;
                    let a = &a[index * band * k..];
                    tiles(a, b, bias, out, (rows, k, m));
                });
            return;
        }
    }
    tiles(a, b, bias, out, (n, k, m));
}

/// Rows of the shared dimension in one packed panel of b (8 KiB on the stack).
const PANEL_DEPTH: usize = 256;

type Panel = [[f32; TILE_COLS]; PANEL_DEPTH];

/// The product on the calling thread: `out (n x m) = a (n x k) * b (k x m)`.
///
/// Each 8-column panel of b is first copied into a contiguous buffer on the
/// stack, [`PANEL_DEPTH`] rows of the shared dimension at a time, and read
/// from there by every row tile, as the `matrixmultiply` crate packs its
/// panels: in place its rows lie `4 m` bytes apart, which for m = 256 falls
/// into four L1 sets, so every step of `p` missed L1. Where k is
/// longer than a panel, each tile's sums are stored after one panel and
/// taken up again from `out` for the next, the same additions in the same
/// order.
fn tiles(
    a: &[f32],
    b: Right,
    bias: Option<&[f32]>,
    out: &mut [f32],
    (n, k, m): (usize, usize, usize),
) {
    let full_rows = n - n % TILE_ROWS;
    // Fewer rows than a tile (the head's dW): every column in `edge`.
    let full_cols = if full_rows > 0 { m - m % TILE_COLS } else { 0 };
    // The shared dimension in panels [p0, p1); one empty panel when k = 0,
    // so that the bias is still added.
    let panels = (0..k.max(1))
        .step_by(PANEL_DEPTH)
        .map(|p0| (p0, (p0 + PANEL_DEPTH).min(k)));
    let mut panel: Panel = [[0.0; TILE_COLS]; PANEL_DEPTH];
    // Column panels outside, so the packed panel stays in L1 across rows.
    for j0 in (0..full_cols).step_by(TILE_COLS) {
        for (p0, p1) in panels.clone() {
            let panel = &mut panel[..p1 - p0];
            b.pack(panel, p0, j0, (k, m));
            for i0 in (0..full_rows).step_by(TILE_ROWS) {
                let block = |r: usize| (i0 + r) * m + j0..(i0 + r) * m + j0 + TILE_COLS;
                let mut acc: Tile = [[0.0; TILE_COLS]; TILE_ROWS];
                if p0 > 0 {
                    for (r, acc_row) in acc.iter_mut().enumerate() {
                        acc_row.copy_from_slice(&out[block(r)]);
                    }
                }
                let row = |r: usize| &a[(i0 + r) * k + p0..(i0 + r) * k + p1];
                tile(std::array::from_fn(row), panel, &mut acc);
                for (r, acc_row) in acc.iter().enumerate() {
                    let out = &mut out[block(r)];
                    match bias.filter(|_| p1 == k) {
                        Some(bias) => {
                            for ((o, s), b) in out.iter_mut().zip(acc_row).zip(&bias[j0..]) {
                                *o = s + b;
                            }
                        }
                        None => out.copy_from_slice(acc_row),
                    }
                }
            }
        }
        edge(a, b, bias, out, (full_rows, n), (j0, j0 + TILE_COLS), k, m);
    }
    edge(a, b, bias, out, (0, n), (full_cols, m), k, m);
}

type Tile = [[f32; TILE_COLS]; TILE_ROWS];

/// Adds to a register tile the products of four rows of a (each as long as
/// the panel) with a packed panel of b.
///
/// Each step is a multiply and an add, each rounded. Tried and left out
/// (issue 13, 3 December 2026): relaxed SIMD's `f32x4_relaxed_madd` in
/// this loop (a second build with `+relaxed-simd`) made a whole step 15-20%
/// faster in node 20 with `--experimental-wasm-relaxed-simd` (bench M 13.0
/// -> 11.0 ms, depth 64 x 256 95 -> 81 ms, best of 10-12, alternating with
/// the plain build; the same loop written with explicit `f32x4_mul` and
/// `f32x4_add` ran as fast as this one). But relaxed madd is fused on some
/// CPUs and not on others, so the numbers a page shows would then depend on
/// the reader's machine and differ from the native build's, which the texts'
/// checked figures and the bit-identical tests rely on. And they differ
/// soon: fused (x86-64 with FMA), the bench's M config had a loss of 0.775
/// at step 10 against 0.724 unfused, and 0.033 against 0.0006 at step 500;
/// S 0.4618 against 0.4698 at step 500.
#[inline(always)]
fn tile(a_rows: [&[f32]; TILE_ROWS], panel: &[[f32; TILE_COLS]], acc: &mut Tile) {
    let [a0, a1, a2, a3] = a_rows;
    let a = a0.iter().zip(a1).zip(a2.iter().zip(a3));
    for (b_tile, ((&v0, &v1), (&v2, &v3))) in panel.iter().zip(a) {
        for (r, a_value) in [v0, v1, v2, v3].into_iter().enumerate() {
            for c in 0..TILE_COLS {
                acc[r][c] += a_value * b_tile[c];
            }
        }
    }
}

/// The plain triple loop for the rows `rows.0..rows.1` and columns
/// `cols.0..cols.1` of `out` that do not fill a whole tile.
#[allow(clippy::too_many_arguments)]
fn edge(
    a: &[f32],
    b: Right,
    bias: Option<&[f32]>,
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
                sum += a[i * k + p] * b.at(p, j, (k, m));
            }
            out[i * m + j] = match bias {
                Some(bias) => sum + bias[j],
                None => sum,
            };
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
    /// every edge case (partial row tiles, partial column tiles, k = 1, k
    /// over one packed panel): the
    /// same sums in the same order, so equal bit for bit, through all three
    /// entry points (the bias added after the sum, a read transposed).
    #[test]
    fn every_entry_point_gives_the_naive_sums_bit_for_bit() {
        for (n, k, m) in [
            (1, 1, 1),
            (4, 3, 8),
            (5, 7, 9),
            (13, 1, 17),
            (64, 2, 64),
            (6, 33, 2),
            (12, 40, 24),
            // Longer than one packed panel: sums taken up again from `out`.
            (8, 513, 16),
            (5, 300, 9),
            // No shared dimension; the bias on the first or the last panel.
            (4, 0, 8),
            (4, 256, 8),
            (8, 512, 16),
        ] {
            let a: Vec<f32> = (0..n * k)
                .map(|i| ((i * 7 % 11) as f32 - 5.0) / 3.0)
                .collect();
            let b: Vec<f32> = (0..k * m)
                .map(|i| ((i * 5 % 13) as f32 - 6.0) / 4.0)
                .collect();
            let bias: Vec<f32> = (0..m).map(|j| j as f32 / 7.0 - 1.0).collect();
            let mut bt = vec![f32::NAN; k * m];
            transpose(&b, k, m, &mut bt);
            let (mut plain, mut biased) = (vec![f32::NAN; n * m], vec![f32::NAN; n * m]);
            gemm(&a, &b, &mut plain, n, k, m);
            gemm_bias_t(&a, &bt, &bias, &mut biased, n, k, m);
            for i in 0..n {
                for j in 0..m {
                    // From +0.0 as the kernel (`Sum` starts at -0.0).
                    let naive = (0..k).fold(0.0f32, |s, p| s + a[i * k + p] * b[p * m + j]);
                    let at = format!("{n}x{k}x{m} [{i},{j}]");
                    assert_eq!(plain[i * m + j].to_bits(), naive.to_bits(), "gemm {at}");
                    let with_bias = naive + bias[j];
                    assert_eq!(
                        biased[i * m + j].to_bits(),
                        with_bias.to_bits(),
                        "gemm_bias_t {at}"
                    );
                }
            }
        }
    }
}
