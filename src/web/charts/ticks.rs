//! Ticks and number formats: 1-2-5 linear ticks, whole-number ticks for
//! layers and steps, decade ticks of log axes and symlog ticks labelled in real
//! values ("10⁻³", "−10⁻⁵"), with the typographic minus throughout.

/// The whole number nearest `v` within `1..=count` (1 for NaN): the layer under
/// a pointer.
pub fn ordinal(v: f64, count: usize) -> usize {
    if v.is_nan() {
        return 1;
    }
    v.round().max(1.0).min(count.max(1) as f64) as usize
}

/// A tick at data position `at` with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// Characters of the longest label.
pub fn widest(ticks: &[Tick]) -> usize {
    ticks
        .iter()
        .map(|t| t.label.chars().count())
        .max()
        .unwrap_or(1)
}

/// The 1-2-5 step that puts at most `count` ticks on `span`.
fn nice_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    let decade = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * decade)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * decade)
}

/// At most `count` ticks at multiples of a 1-2-5 step within `lo..=hi`, and at
/// least 3 where the range allows (a smaller step if needed).
pub fn linear_ticks(lo: f64, hi: f64, count: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo && (hi - lo).is_finite()) {
        return Vec::new();
    }
    let mut step = nice_step(hi - lo, count);
    let within = |step: f64| ((hi / step + 1e-9).floor() - (lo / step - 1e-9).ceil() + 1.0) as i64;
    if within(step) < 3 && count >= 3 {
        // The next smaller step of the 1-2-5 sequence.
        let decade = 10f64.powf(step.log10().floor());
        let mantissa = (step / decade).round();
        step = if mantissa >= 5.0 {
            2.0
        } else if mantissa >= 2.0 {
            1.0
        } else {
            0.5
        } * decade;
    }
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let scientific = hi.abs().max(lo.abs()) >= 1e5 || step < 1e-4;
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    if last.saturating_sub(first) > 1000 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let at = k as f64 * step;
            let label = if scientific {
                format_sig(at, 2)
            } else {
                minus(format!("{:.*}", decimals, if k == 0 { 0.0 } else { at }))
            };
            Tick { at, label }
        })
        .collect()
}

/// Integer ticks in `lo..=hi` (layers, steps): `lo`, then multiples of the step.
pub fn integer_ticks(lo: i64, hi: i64, count: usize) -> Vec<Tick> {
    let step = (nice_step((hi - lo).max(1) as f64, count).round() as i64).max(1);
    let mut at: Vec<i64> = vec![lo];
    if step <= 2 {
        at.extend((1..).map(|k| lo + k * step).take_while(|v| *v <= hi));
    } else {
        let first = (lo / step + 1) * step;
        let multiples = (0..).map(|k| first + k * step).take_while(|v| *v <= hi);
        at.extend(multiples.filter(|v| (*v - lo) as f64 >= 0.6 * step as f64));
    }
    at.into_iter()
        .map(|v| Tick {
            at: v as f64,
            label: v.to_string(),
        })
        .collect()
}

/// Ticks at whole decades of an axis in log10 units (`lo`, `hi` whole numbers).
pub fn decade_ticks(lo: f64, hi: f64, count: usize) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Vec::new();
    }
    let decades = (hi - lo).round() as i64;
    let every = (decades as f64 / count.max(1) as f64).ceil().max(1.0) as i64;
    (lo.round() as i64..=hi.round() as i64)
        .filter(|k| (hi.round() as i64 - k).rem_euclid(every) == 0)
        .map(|k| Tick {
            at: k as f64,
            label: power_of_ten(k),
        })
        .collect()
}

/// Ticks of a symlog axis `t = sign(v) log10(1 + |v|/c)` over `-top..top`, at 0
/// and at powers of ten, labelled in real values.
pub fn symlog_ticks(c: f64, top: f64, count: usize, transform: impl Fn(f64) -> f64) -> Vec<Tick> {
    let mut ticks = vec![Tick {
        at: 0.0,
        label: "0".into(),
    }];
    if !(c > 0.0 && top > 0.0 && top < 60.0 && c.is_finite()) {
        return ticks;
    }
    let first = (c.log10().floor() as i64) + 1;
    let last = (c * (10f64.powf(top) - 1.0)).log10().floor() as i64;
    let per_side = (count.saturating_sub(1) / 2).max(1) as i64;
    let every = ((last - first + 1) as f64 / per_side as f64)
        .ceil()
        .max(1.0) as i64;
    for k in (first..=last).rev().step_by(every as usize) {
        let at = transform(10f64.powi(k as i32));
        ticks.push(Tick {
            at,
            label: power_of_ten(k),
        });
        ticks.push(Tick {
            at: -at,
            label: format!("\u{2212}{}", power_of_ten(k)),
        });
    }
    ticks
}

/// "10⁻³"; "1" and "10" for k = 0, 1.
pub fn power_of_ten(k: i64) -> String {
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    match k {
        0 => "1".into(),
        1 => "10".into(),
        _ => {
            let mut out = String::from("10");
            if k < 0 {
                out.push('⁻');
            }
            for digit in k.unsigned_abs().to_string().bytes() {
                out.push(SUPERSCRIPT[(digit - b'0') as usize]);
            }
            out
        }
    }
}

/// Replaces ASCII minus signs with the typographic minus.
fn minus(text: String) -> String {
    text.replace('-', "\u{2212}")
}

/// `v` with `digits` significant digits: "0.0312", "1.2e-5", "NaN", "inf".
pub fn format_sig(v: f64, digits: usize) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "inf".into()
        } else {
            "\u{2212}inf".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor();
    if !(-3.0..5.0).contains(&magnitude) {
        let text = format!("{:.*e}", digits.saturating_sub(1), v);
        return minus(text.replace("e-", "e\u{2212}"));
    }
    let decimals = (digits as f64 - 1.0 - magnitude).max(0.0) as usize;
    minus(format!("{:.*}", decimals, v))
}

/// `v` with at most 2 significant digits and no trailing zeros: "0.5", "1", "0.25".
pub fn format_short(v: f64) -> String {
    let text = format_sig(v, 2);
    if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A share in [0, 1] as a percentage: "12.5%".
pub fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.001 {
        return "<0.1%".into();
    }
    format!("{:.1}%", share * 100.0)
}
