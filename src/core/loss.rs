//! Mean softmax cross-entropy over a batch, as `F.cross_entropy(logits, y)`.
//!
//! `loss = -(1/N) sum_i log softmax(z_i)[y_i]`, computed with the max-shifted
//! log-sum-exp; its gradient is `dz_i = (softmax(z_i) - onehot(y_i)) / N`.

/// Writes `d_logits` and returns `(loss, accuracy)` for `logits (rows x classes)`.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    d_logits: &mut [f32],
) -> (f32, f32) {
    let rows = labels.len();
    let mut loss = 0.0f64;
    let mut correct = 0usize;
    for ((z, dz), &label) in logits
        .chunks_exact(classes)
        .zip(d_logits.chunks_exact_mut(classes))
        .zip(labels)
    {
        let label = label as usize;
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum_exp: f32 = z.iter().map(|v| (v - max).exp()).sum();
        let log_sum_exp = max + sum_exp.ln();
        loss += (log_sum_exp - z[label]) as f64;
        for (c, (dz, &v)) in dz.iter_mut().zip(z).enumerate() {
            let p = (v - log_sum_exp).exp();
            *dz = (p - if c == label { 1.0 } else { 0.0 }) / rows as f32;
        }
        let predicted = (0..classes).fold(0, |best, c| if z[c] > z[best] { c } else { best });
        correct += usize::from(predicted == label);
    }
    ((loss / rows as f64) as f32, correct as f32 / rows as f32)
}
