//! Cache-free inference through one normalization layer (the decision regions).

use super::{formula, group, normalize_set, rms, Formula, Norm, NormKind};

impl Norm {
    /// `y = N(x)` in eval mode, writing no cache: BatchNorm uses its running
    /// statistics, the others their per-sample statistics (they have no mode),
    /// and LayerNorm over the batch's axes the column statistics of the last
    /// forward pass (it has no running statistics; a grid evaluated in chunks
    /// must not get one normalization per chunk), or of these `rows` before any.
    /// This is inference for the decision regions; it leaves the probe pass's
    /// caches intact. Equal to `forward(.., Pass::Eval)` (tested).
    pub fn infer(&self, x: &[f32], rows: usize, y: &mut [f32]) {
        let f = self.features;
        let size = f / self.groups;
        let shift = formula::shift(self.formula, self.eps);
        if self.kind == NormKind::Layer && self.over_batch() {
            return self.infer_over_batch(x, rows, y);
        }
        for (x_row, y_row) in x.chunks_exact(f).zip(y.chunks_exact_mut(f)).take(rows) {
            match self.kind {
                NormKind::None => y_row.copy_from_slice(x_row),
                NormKind::Batch if self.formula == Formula::Torch => {
                    for j in 0..f {
                        let x_hat = (x_row[j] - self.running_mean[j])
                            * super::rstd(self.running_var[j], self.eps);
                        y_row[j] = x_hat * self.gamma[j] + self.beta[j];
                    }
                }
                NormKind::Batch => {
                    for j in 0..f {
                        let (r, _) =
                            formula::inverse(self.formula, self.running_var[j], self.eps, 1.0);
                        let x_hat = (x_row[j] - self.running_mean[j]) * r;
                        let x_hat = if shift != 0.0 { x_hat + shift } else { x_hat };
                        y_row[j] = x_hat * self.gamma[j] + self.beta[j];
                    }
                }
                NormKind::Rms => {
                    let (rstd, _) = rms::row_stats(x_row, self.eps, self.formula);
                    normalize_set(x_row, 0.0, rstd, shift, &self.gamma, None, y_row, None);
                }
                NormKind::Layer | NormKind::Group => {
                    for (g, (x_seg, y_seg)) in x_row
                        .chunks_exact(size)
                        .zip(y_row.chunks_exact_mut(size))
                        .enumerate()
                    {
                        let (mean, rstd, _) = group::formula_stats(x_seg, self.eps, self.formula);
                        let params = g * size..(g + 1) * size;
                        let (gamma, beta) = (&self.gamma[params.clone()], &self.beta[params]);
                        normalize_set(x_seg, mean, rstd, shift, gamma, Some(beta), y_seg, None);
                    }
                }
            }
        }
    }

    /// LayerNorm with `formula` batch_axes or seed_formula, per feature: with
    /// the cached statistics of the last forward pass, or before any, those of
    /// the `rows` given, in the order of the training forward pass (`batch.rs`:
    /// the sums run over the rows), so that the result is bit-identical to it.
    fn infer_over_batch(&self, x: &[f32], rows: usize, y: &mut [f32]) {
        let f = self.features;
        let shift = formula::shift(self.formula, self.eps);
        let correction = formula::correction(rows);
        let cached = self.mean.len() == f && self.rstd.len() == f;
        for j in 0..f {
            let column = || x.iter().skip(j).step_by(f).take(rows);
            let (mean, r) = if cached {
                (self.mean[j], self.rstd[j])
            } else {
                let mut mean = 0.0f32;
                column().for_each(|v| mean += v);
                mean /= rows as f32;
                let mut var = 0.0f32;
                column().for_each(|v| var += (v - mean) * (v - mean));
                let var = var / rows as f32;
                (
                    mean,
                    formula::inverse(self.formula, var, self.eps, correction).0,
                )
            };
            for (i, v) in column().enumerate() {
                let x_hat = (v - mean) * r;
                let x_hat = if shift != 0.0 { x_hat + shift } else { x_hat };
                y[i * f + j] = x_hat * self.gamma[j] + self.beta[j];
            }
        }
    }
}
