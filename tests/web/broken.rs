//! Chart inputs broken in every way a chart might meet: NaN and infinite
//! moments, empty, inverted and overflowing histograms, a history whose series
//! disagree in length, decision grids of the wrong size, matrices shorter than
//! their shape and statistic sets that do not match it.

use normscope::core::config::{Formula, NormKind};
use normscope::core::stats::{Histogram, LayerStats, Stats, Summary};
use normscope::core::views::{DecisionGrid, LayerMatrix, NormInput};
use normscope::web::charts::ChartData;
use normscope::Config;

/// A layer whose every statistic is broken in a different way.
fn broken_layer(layer: usize) -> LayerStats {
    let nan = Summary {
        count: 10,
        mean: f32::NAN,
        std: f32::INFINITY,
        min: f32::NEG_INFINITY,
        max: f32::NAN,
        nonfinite: 3,
        histogram: Histogram {
            lo: f32::NAN,
            hi: f32::INFINITY,
            linthresh: -1.0,
            counts: vec![u32::MAX; 7],
        },
    };
    LayerStats {
        layer,
        pre: nan.clone(),
        out: Summary {
            histogram: Histogram {
                lo: 1.0,
                hi: 1.0,
                linthresh: 0.0,
                counts: vec![],
            },
            ..nan.clone()
        },
        grad: nan.clone(),
        grad_pre: nan,
        grad_symlog: Histogram {
            lo: -0.0,
            hi: 0.0,
            linthresh: 0.0,
            counts: vec![5; 40],
        },
        sample_spread: Some(f32::NEG_INFINITY),
        sample_cosine: Some(f32::NAN),
        saturated: Some(f32::NAN),
        dead: Some(2.0),
        update_data_ratio: Some(f32::INFINITY),
        ..LayerStats::default()
    }
}

/// Every broken input, owned.
pub struct Broken {
    config: Config,
    broken: Stats,
    empty: Stats,
    grid: DecisionGrid,
    zero_grid: DecisionGrid,
    matrix: LayerMatrix,
    short: LayerMatrix,
    points: Vec<f32>,
}

impl Broken {
    pub fn new() -> Broken {
        let mut broken = Stats {
            nonfinite: usize::MAX,
            layers: (1..=3).map(broken_layer).collect(),
            ..Stats::default()
        };
        broken.history.steps = vec![0, 1, 1, u64::MAX];
        broken.history.loss = vec![f32::NAN, f32::INFINITY, -1.0, 1e30];
        broken.history.accuracy = vec![2.0, f32::NAN];
        broken.history.update_ratio = vec![vec![0.0, -1.0, f32::NAN], vec![]];
        let empty = Stats::default();
        let grid = DecisionGrid {
            resolution: 3,
            x_range: (1.0, 1.0),
            y_range: (f32::NAN, 0.0),
            probability: vec![0.5; 2],
        };
        let zero_grid = DecisionGrid {
            resolution: 0,
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            probability: vec![],
        };
        let matrix = LayerMatrix {
            layer: 0,
            rows: 3,
            cols: 4,
            input: NormInput::ResidualSum,
            x_hat: vec![f32::NAN; 5],
            output: vec![f32::INFINITY; 12],
            values: vec![
                f32::NAN,
                f32::INFINITY,
                -f32::INFINITY,
                0.0,
                1.0,
                2.0,
                3.0,
                4.0,
                5.0,
                6.0,
                7.0,
                8.0,
            ],
            kind: NormKind::Group,
            formula: Formula::Torch,
            groups: 3,
            set_mean: vec![f32::NAN],
            set_divisor: vec![0.0],
            running: false,
        };
        let short = LayerMatrix {
            values: vec![1.0],
            ..matrix.clone()
        };
        let points = vec![0.5f32, f32::NAN, 1e30, -1e30, 0.0];

        Broken {
            config: Config::default(),
            broken,
            empty,
            grid,
            zero_grid,
            matrix,
            short,
            points,
        }
    }

    /// The inputs as chart data, for every kind of chart.
    pub fn data(&self) -> Vec<ChartData<'_>> {
        vec![
            ChartData::Stats {
                config: &self.config,
                stats: &self.broken,
            },
            ChartData::Stats {
                config: &self.config,
                stats: &self.empty,
            },
            ChartData::Decision {
                config: &self.config,
                grid: Some(&self.grid),
                points: &self.points,
                labels: &[0, 1, 7],
            },
            ChartData::Decision {
                config: &self.config,
                grid: Some(&self.zero_grid),
                points: &[],
                labels: &[1],
            },
            ChartData::Decision {
                config: &self.config,
                grid: None,
                points: &self.points,
                labels: &[],
            },
            ChartData::Normalized {
                config: &self.config,
                matrix: Some(self.matrix.clone()),
            },
            ChartData::Normalized {
                config: &self.config,
                matrix: Some(self.short.clone()),
            },
            ChartData::Normalized {
                config: &self.config,
                matrix: None,
            },
        ]
    }
}
