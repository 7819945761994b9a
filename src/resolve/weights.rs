//! The fitted weights of the fuzzy ranking model (see `model.rs`). Written by
//! `benches/train_ranking.py --world 8000 --afghan 5000 --seed 1`; do not edit by hand.

/// The model's intercept.
pub(super) const BIAS: f64 = -6.607997;

/// One weight per feature, in the order of `model::FEATURE_NAMES`:
/// key_sim,
/// fold_sim,
/// consonant_sim,
/// key_one_edit,
/// key_two_edits,
/// fold_one_edit,
/// initials_agree,
/// same_consonants,
/// inverse_length,
/// length_gap,
/// primary,
/// approximate,
/// part,
/// rival_gap,
/// best,
/// close_rivals,
/// similarity_squared.
pub(super) const WEIGHTS: [f64; super::model::FEATURE_COUNT] = [
    -3.039816, 7.760755, 0.655641, -0.631796, -0.059183, 0.122989, -0.218889, 0.176800, 3.013138,
    0.195447, 0.771441, 1.145432, -2.798135, 1.376373, 1.394003, -3.133870, 1.404530,
];
