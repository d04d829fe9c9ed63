//! Test functions of sensitivity analysis with indices known in closed
//! form, for the tests of the estimators.

use std::f64::consts::PI;

/// Ishigami and Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1, each
/// x uniform on [-π, π].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ishigami {
    pub a: f64,
    pub b: f64,
}

impl Ishigami {
    /// The usual parameters, a = 7 and b = 0.1.
    pub const STANDARD: Ishigami = Ishigami { a: 7.0, b: 0.1 };

    pub fn at(&self, x: &[f64]) -> f64 {
        let sin_x1 = libm::sin(x[0]);
        let sin_x2 = libm::sin(x[1]);
        let x3_squared = x[2] * x[2];
        sin_x1 + self.a * sin_x2 * sin_x2 + self.b * x3_squared * x3_squared * sin_x1
    }

    /// At a point of the unit cube, each coordinate mapped to [-π, π].
    pub fn at_unit(&self, unit: &[f64]) -> f64 {
        let x: Vec<f64> = unit.iter().map(|u| -PI + 2.0 * PI * u).collect();
        self.at(&x)
    }

    /// Partial variances. With E[sin² x] = 1/2, E[sin⁴ x] = 3/8,
    /// E[x⁴] = π⁴/5 and E[x⁸] = π⁸/9 for x uniform on [-π, π]:
    /// - V1 = Var(sin x1 (1 + b E x3⁴)) = (1 + bπ⁴/5)² / 2;
    /// - V2 = a² Var(sin² x2) = a² (3/8 - 1/4) = a²/8;
    /// - V13 = b² Var(x3⁴) E[sin² x1] = b² π⁸ (1/9 - 1/25) / 2
    ///   = 8 b² π⁸ / 225;
    /// - V3 = V12 = V23 = V123 = 0,
    ///
    /// and V = V1 + V2 + V13 = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2.
    fn partial_variances(&self) -> (f64, f64, f64, f64) {
        let pi4 = PI * PI * PI * PI;
        let pi8 = pi4 * pi4;
        let (a, b) = (self.a, self.b);
        let v1 = (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * pi8 / 225.0;
        let total = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        assert!((v1 + v2 + v13 - total).abs() < 1e-9 * total);
        (v1, v2, v13, total)
    }

    pub fn first_order(&self) -> [f64; 3] {
        let (v1, v2, _, v) = self.partial_variances();
        [v1 / v, v2 / v, 0.0]
    }

    pub fn total(&self) -> [f64; 3] {
        let (v1, v2, v13, v) = self.partial_variances();
        [(v1 + v13) / v, v2 / v, v13 / v]
    }
}

/// Sobol's g-function: g = Π (|4 x_i - 2| + a_i) / (1 + a_i), x uniform on
/// [0, 1); a small a_i makes factor i important.
pub(crate) struct GFunction {
    a: Vec<f64>,
}

impl GFunction {
    pub fn new(a: Vec<f64>) -> GFunction {
        GFunction { a }
    }

    pub fn at(&self, x: &[f64]) -> f64 {
        self.a
            .iter()
            .zip(x)
            .map(|(a, x)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// Each factor's term has mean 1 and variance V_i = 1 / (3 (1 + a_i)²);
    /// the terms are independent, so V = Π (1 + V_i) - 1, S_i = V_i / V and
    /// ST_i = V_i Π_{j≠i} (1 + V_j) / V (Saltelli et al. 2010, section 4).
    fn partial_variances(&self) -> Vec<f64> {
        self.a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect()
    }

    fn variance(&self) -> f64 {
        self.partial_variances()
            .iter()
            .map(|v| 1.0 + v)
            .product::<f64>()
            - 1.0
    }

    pub fn first_order(&self) -> Vec<f64> {
        let v = self.variance();
        self.partial_variances().iter().map(|vi| vi / v).collect()
    }

    pub fn total(&self) -> Vec<f64> {
        let v = self.variance();
        let partial = self.partial_variances();
        (0..partial.len())
            .map(|i| {
                let others: f64 = (0..partial.len())
                    .filter(|&j| j != i)
                    .map(|j| 1.0 + partial[j])
                    .product();
                partial[i] * others / v
            })
            .collect()
    }
}

/// `model` at each point of a design, as the estimators take outputs: one
/// row per point, one column (a single metric).
pub(crate) fn outputs_at(points: &[Vec<f64>], model: impl Fn(&[f64]) -> f64) -> Vec<Vec<f64>> {
    points.iter().map(|point| vec![model(point)]).collect()
}
