//! The fitted weights of the fuzzy ranking model (see `model.rs`). Written by
//! `benches/train_ranking.py --world 8000 --afghan 5000 --seed 1`; do not edit by hand.

/// The model's intercept.
pub(super) const BIAS: f64 = -5.590502;

/// One weight per feature, in the order of `model::FEATURE_NAMES`:
/// key_sim,
/// fold_sim,
/// consonant_sim,
/// key_one_edit,
/// key_two_edits,
/// fold_one_edit,
/// fold_two_edits,
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
/// similarity_squared,
/// population.
pub(super) const WEIGHTS: [f64; super::model::FEATURE_COUNT] = [
    -1.648018, 5.472134, 0.695663, -0.869158, -0.106266, 0.816621, 0.526596, -0.176396, 0.115400,
    2.173144, 0.236250, 0.681346, 0.972312, -3.603567, 1.540794, 1.264015, -2.996730, 1.134383,
    -0.547522,
];
