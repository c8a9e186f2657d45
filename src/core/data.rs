//! Seeded toy datasets of 1024 labelled points plus 256 held-out ones, and
//! shuffled minibatches.
//!
//! Planar sets (2 classes, coordinates roughly in [-1, 1]; `noise` is the std
//! of Gaussian noise added to each coordinate):
//! - spiral: two interleaved arms `r = t, angle = 3.5 pi t + c pi`, t in [0.05, 1]
//! - circles: class 0 on radius 0.5, class 1 on radius 1
//! - xor: uniform in [-1, 1]^2, class 1 when x * y > 0 (labels from the clean point)
//! - gaussians: blobs of std 0.3 at (-0.5, -0.5) and (0.5, 0.5)
//! - moons: scikit-learn's two moons, centred and scaled to [-1, 1]
//!
//! `gaussian`: x ~ N(0, I_width); label 1 when `w.x / |w| + noise z > 0` for a
//! fixed random teacher w ~ N(0, I) (z ~ N(0, 1)).
//!
//! Minibatches walk a shuffled permutation; when it runs out it is reshuffled
//! (epochs), so every point is seen once per epoch.

use rand::seq::SliceRandom;
use rand::Rng as _;
use std::f32::consts::PI;

use crate::core::config::{Config, Dataset};
use crate::core::init::{normal, Rng};

/// Points in the dataset.
pub const DATASET_SIZE: usize = 1024;

/// The dataset: `x (DATASET_SIZE x dim)` and labels in {0, 1}.
#[derive(Debug, Clone)]
pub struct Data {
    pub dim: usize,
    pub x: Vec<f32>,
    pub y: Vec<u8>,
}

/// Held-out points: drawn from the same stream right after the training set
/// (so the training set is unchanged by their existence, and the `gaussian`
/// teacher is shared), never trained on.
pub const TEST_SIZE: usize = 256;

impl Data {
    /// Generates the dataset of `config` from `rng`.
    pub fn generate(config: &Config, rng: &mut Rng) -> Data {
        let teacher = teacher(config, rng);
        draw(config, rng, &teacher, DATASET_SIZE)
    }

    /// The training set, as [`Data::generate`], and a held-out test split of
    /// [`TEST_SIZE`] points drawn after it from the same stream.
    pub fn generate_split(config: &Config, rng: &mut Rng) -> (Data, Data) {
        let teacher = teacher(config, rng);
        let train = draw(config, rng, &teacher, DATASET_SIZE);
        let test = draw(config, rng, &teacher, TEST_SIZE);
        (train, test)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// The `gaussian` dataset's unit teacher vector (empty for planar sets).
fn teacher(config: &Config, rng: &mut Rng) -> Vec<f32> {
    if config.dataset != Dataset::Gaussian {
        return Vec::new();
    }
    let w: Vec<f32> = (0..config.input_dim()).map(|_| normal(rng)).collect();
    let norm = w
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    w.iter().map(|v| v / norm).collect()
}

/// `count` labelled points (classes alternating) of `config`'s dataset.
fn draw(config: &Config, rng: &mut Rng, teacher: &[f32], count: usize) -> Data {
    let dim = config.input_dim();
    let mut x = Vec::with_capacity(count * dim);
    let mut y = Vec::with_capacity(count);
    let noise = config.noise;
    for i in 0..count {
        let label = (i % 2) as u8;
        if config.dataset == Dataset::Gaussian {
            let point: Vec<f32> = (0..dim).map(|_| normal(rng)).collect();
            let score: f32 = point.iter().zip(teacher).map(|(a, b)| a * b).sum();
            y.push(u8::from(score + noise * normal(rng) > 0.0));
            x.extend(point);
            continue;
        }
        let (px, py, label) = planar_point(config.dataset, label, rng);
        x.push(px + noise * normal(rng));
        x.push(py + noise * normal(rng));
        y.push(label);
    }
    Data { dim, x, y }
}

/// One clean point of a planar dataset for the requested class (xor decides
/// its own label from the point).
fn planar_point(dataset: Dataset, label: u8, rng: &mut Rng) -> (f32, f32, u8) {
    let c = label as f32;
    let u: f32 = rng.random::<f32>();
    match dataset {
        Dataset::Spiral => {
            let t = 0.05 + 0.95 * u;
            let angle = 3.5 * PI * t + c * PI;
            (t * angle.cos(), t * angle.sin(), label)
        }
        Dataset::Circles => {
            let radius = 0.5 + 0.5 * c;
            let angle = 2.0 * PI * u;
            (radius * angle.cos(), radius * angle.sin(), label)
        }
        Dataset::Xor => {
            let (px, py) = (2.0 * u - 1.0, 2.0 * rng.random::<f32>() - 1.0);
            (px, py, u8::from(px * py > 0.0))
        }
        Dataset::Gaussians => {
            let centre = c - 0.5;
            (
                centre + 0.3 * normal(rng),
                centre + 0.3 * normal(rng),
                label,
            )
        }
        Dataset::Moons | Dataset::Gaussian => {
            let angle = PI * u;
            let (mx, my) = if label == 0 {
                (angle.cos(), angle.sin())
            } else {
                (1.0 - angle.cos(), 0.5 - angle.sin())
            };
            // Centre the pair of moons (x in [-1, 2], y in [-0.5, 1]) on [-1, 1].
            ((mx - 0.5) / 1.5, (my - 0.25) / 0.75, label)
        }
    }
}

/// Draws minibatches from shuffled epochs into owned buffers.
#[derive(Debug, Clone)]
pub struct Batcher {
    order: Vec<usize>,
    cursor: usize,
    pub size: usize,
    /// Dataset indices of the points in `x`.
    pub indices: Vec<usize>,
    pub x: Vec<f32>,
    pub y: Vec<u8>,
    rng: Rng,
}

impl Batcher {
    pub fn new(size: usize, dim: usize, rng: Rng) -> Batcher {
        let size = size.clamp(1, DATASET_SIZE);
        Batcher {
            order: (0..DATASET_SIZE).collect(),
            cursor: DATASET_SIZE,
            size,
            indices: vec![0; size],
            x: vec![0.0; size * dim],
            y: vec![0; size],
            rng,
        }
    }

    /// Fills `self.x`, `self.y` with the next `size` points.
    pub fn next(&mut self, data: &Data) {
        let dim = data.dim;
        for slot in 0..self.size {
            let point = self.next_index();
            self.indices[slot] = point;
            self.x[slot * dim..(slot + 1) * dim]
                .copy_from_slice(&data.x[point * dim..(point + 1) * dim]);
            self.y[slot] = data.y[point];
        }
    }

    /// The dataset index of the next point, reshuffling at the end of an epoch.
    fn next_index(&mut self) -> usize {
        if self.cursor == DATASET_SIZE {
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        self.cursor += 1;
        self.order[self.cursor - 1]
    }

    /// The dataset indices of the next `count` points, without drawing them.
    pub fn upcoming(&self, count: usize) -> Vec<usize> {
        let mut ahead = self.clone();
        (0..count).map(|_| ahead.next_index()).collect()
    }
}
