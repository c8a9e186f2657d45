//! Row-major f32 matrix kernels: everything the network's Linear layers need.
//!
//! Every product is written as `out[i, :] += a[i, p] * b[p, :]` (an axpy over a
//! contiguous row), the form LLVM vectorizes without fast-math (on wasm32 with
//! `+simd128`, as f32x4). The three products of a Linear layer map onto it with
//! a stored transpose:
//! - forward  `A = H W^T`:  `gemm(H, W^T)`   (W^T kept next to W)
//! - backward `dH = dA W`:  `gemm(dA, W)`
//! - backward `dW = dA^T H`: `gemm(transpose(dA), H)`
//! Each costs `2 n k m` floating-point operations.

/// `out (n x m) = a (n x k) * b (k x m)`, all row-major.
pub fn gemm(a: &[f32], b: &[f32], out: &mut [f32], n: usize, k: usize, m: usize) {
    debug_assert!(a.len() >= n * k && b.len() >= k * m && out.len() >= n * m);
    for (a_row, out_row) in a.chunks_exact(k).zip(out.chunks_exact_mut(m)).take(n) {
        out_row.iter_mut().for_each(|v| *v = 0.0);
        // Four rows of b per pass: 5 loads and 1 store per 4 multiply-adds.
        let mut p = 0;
        while p + 4 <= k {
            let (a0, a1, a2, a3) = (a_row[p], a_row[p + 1], a_row[p + 2], a_row[p + 3]);
            let b0 = &b[p * m..(p + 1) * m];
            let b1 = &b[(p + 1) * m..(p + 2) * m];
            let b2 = &b[(p + 2) * m..(p + 3) * m];
            let b3 = &b[(p + 3) * m..(p + 4) * m];
            for j in 0..m {
                out_row[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
            }
            p += 4;
        }
        while p < k {
            let a0 = a_row[p];
            let b0 = &b[p * m..(p + 1) * m];
            for j in 0..m {
                out_row[j] += a0 * b0[j];
            }
            p += 1;
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
