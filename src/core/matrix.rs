//! Row-major f32 matrix kernels: everything the network's Linear layers need.
//!
//! Every product is one kernel, register-tiled so that LLVM vectorizes it
//! without fast-math (on wasm32 with `+simd128`, as f32x4). The three products
//! of a Linear layer map onto it with a stored transpose of W and one of dA:
//! - forward  `A = H W^T + b`: [`gemm_bias`]`(H, W^T, b)` (W^T kept next to W;
//!   the bias added to each finished sum as it is stored, the same rounding as
//!   a separate pass over A, without the pass)
//! - backward `dH = dA W`:   [`gemm`]`(dA, W)`
//! - backward `dW = dA^T H`: [`gemm`]`(dA^T, H)`, dA transposed into one
//!   buffer of the network first ([`transpose`], `Linear::backward`)
//!
//! The kernel packs each 8-column panel of the right operand into a
//! contiguous buffer on the stack before the row tiles read it (`tiles`).
//!
//! Each costs `2 n k m` floating-point operations, and every entry is the sum
//! over the shared dimension in ascending order.

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
    product(a, b, None, out, (n, k, m));
}

/// [`gemm`] plus `bias` (length m) added to every row of `out`, each entry
/// rounded as `sum + bias` (as a separate pass would).
pub fn gemm_bias(
    a: &[f32],
    b: &[f32],
    bias: &[f32],
    out: &mut [f32],
    n: usize,
    k: usize,
    m: usize,
) {
    assert!(a.len() >= n * k && bias.len() >= m);
    product(a, b, Some(bias), out, (n, k, m));
}

/// The entry points' shared body.
fn product(
    a: &[f32],
    b: &[f32],
    bias: Option<&[f32]>,
    out: &mut [f32],
    (n, k, m): (usize, usize, usize),
) {
    assert!(b.len() >= k * m && out.len() >= n * m);
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
    b: &[f32],
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
            for (p, packed) in (p0..p1).zip(panel.iter_mut()) {
                packed.copy_from_slice(&b[p * m + j0..p * m + j0 + TILE_COLS]);
            }
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
    b: &[f32],
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
                sum += a[i * k + p] * b[p * m + j];
            }
            out[i * m + j] = match bias {
                Some(bias) => sum + bias[j],
                None => sum,
            };
        }
    }
}

/// `dst (cols x rows) = src (rows x cols)^T`, in tiles of 16 x 16:
/// each tile's columns are written as contiguous runs of `dst`
/// while its rows of `src` stay in L1. Entry by entry, a 256 x 256 weight's
/// writes 1 KiB apart fell into four L1 sets and missed on nearly every
/// store: 5% of a depth 64 x 256 step (natively), refreshing each W^T after
/// the update. The wasm build moves the whole 4 x 4 blocks four lanes at a
/// time (`quads`), and the rows and columns past them entry by entry.
pub fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    let (src, dst) = (&src[..rows * cols], &mut dst[..rows * cols]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (rows4, cols4) = quads::transpose(src, rows, cols, dst);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (rows4, cols4) = (0, 0);
    // What the blocks left: the rows below them, and the columns right of them.
    tiled(src, (rows, cols), (rows4..rows, 0..cols), dst);
    tiled(src, (rows, cols), (0..rows4, cols4..cols), dst);
}

/// [`transpose`] of the entries in `part` (rows, columns) of `src`, entry by
/// entry in tiles of 16 x 16.
fn tiled(
    src: &[f32],
    (rows, cols): (usize, usize),
    (part_rows, part_cols): (core::ops::Range<usize>, core::ops::Range<usize>),
    dst: &mut [f32],
) {
    const TILE: usize = 16;
    for i0 in part_rows.clone().step_by(TILE) {
        let i1 = (i0 + TILE).min(part_rows.end);
        for j0 in part_cols.clone().step_by(TILE) {
            for j in j0..(j0 + TILE).min(part_cols.end) {
                let run = &mut dst[j * rows + i0..j * rows + i1];
                for (d, i) in run.iter_mut().zip(i0..i1) {
                    *d = src[i * cols + j];
                }
            }
        }
    }
}

/// The wasm build's [`transpose`] of whole 4 x 4 blocks: four rows loaded as
/// f32x4, eight shuffles, four columns stored. In node 20 the transposes went
/// from 6.6% to 4.2% of a depth 64 x 256 step with its frame (CPU profile).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod quads {
    use core::arch::wasm32::*;

    /// Transposes the blocks that fit, in tiles of 16 x 16; returns the rows
    /// and columns they cover (the largest multiples of 4).
    pub(super) fn transpose(
        src: &[f32],
        rows: usize,
        cols: usize,
        dst: &mut [f32],
    ) -> (usize, usize) {
        const TILE: usize = 16;
        let (rows4, cols4) = (rows / 4 * 4, cols / 4 * 4);
        let load = |at: usize| {
            let s = &src[at..at + 4];
            f32x4(s[0], s[1], s[2], s[3])
        };
        for i0 in (0..rows4).step_by(TILE) {
            for j0 in (0..cols4).step_by(TILE) {
                for i in (i0..(i0 + TILE).min(rows4)).step_by(4) {
                    for j in (j0..(j0 + TILE).min(cols4)).step_by(4) {
                        let [a, b, c, d] = [0, 1, 2, 3].map(|r| load((i + r) * cols + j));
                        let ab_low = i32x4_shuffle::<0, 4, 1, 5>(a, b);
                        let ab_high = i32x4_shuffle::<2, 6, 3, 7>(a, b);
                        let cd_low = i32x4_shuffle::<0, 4, 1, 5>(c, d);
                        let cd_high = i32x4_shuffle::<2, 6, 3, 7>(c, d);
                        let columns = [
                            i32x4_shuffle::<0, 1, 4, 5>(ab_low, cd_low),
                            i32x4_shuffle::<2, 3, 6, 7>(ab_low, cd_low),
                            i32x4_shuffle::<0, 1, 4, 5>(ab_high, cd_high),
                            i32x4_shuffle::<2, 3, 6, 7>(ab_high, cd_high),
                        ];
                        for (r, column) in columns.into_iter().enumerate() {
                            let out = &mut dst[(j + r) * rows + i..(j + r) * rows + i + 4];
                            out[0] = f32x4_extract_lane::<0>(column);
                            out[1] = f32x4_extract_lane::<1>(column);
                            out[2] = f32x4_extract_lane::<2>(column);
                            out[3] = f32x4_extract_lane::<3>(column);
                        }
                    }
                }
            }
        }
        (rows4, cols4)
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

    /// The tiled transpose moves every entry to its place, on shapes with
    /// partial tiles in either direction, one row or one column.
    #[test]
    fn transpose_moves_every_entry() {
        for (rows, cols) in [
            (1, 1),
            (1, 40),
            (40, 1),
            (16, 16),
            (17, 33),
            (256, 7),
            (31, 64),
        ] {
            let src: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
            let mut dst = vec![f32::NAN; rows * cols];
            transpose(&src, rows, cols, &mut dst);
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(
                        dst[j * rows + i],
                        src[i * cols + j],
                        "{rows}x{cols} [{i},{j}]"
                    );
                }
            }
        }
    }

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
            let (mut plain, mut biased) = (vec![f32::NAN; n * m], vec![f32::NAN; n * m]);
            gemm(&a, &b, &mut plain, n, k, m);
            gemm_bias(&a, &b, &bias, &mut biased, n, k, m);
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
                        "gemm_bias {at}"
                    );
                }
            }
        }
    }
}
