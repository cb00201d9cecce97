#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nym {

// The network of METHOD.md §2: G → hidden → … → C, each hidden block Linear → BatchNorm1d → Dropout → ReLU, and a
// domain adversary Linear(hidden, adversaryHidden) → ReLU → Linear(adversaryHidden, D) behind gradient reversal.
// Plain value type.
struct ClassifierOptions
{
    // Number of hidden Linear blocks. Default 3 (the reference's n_layers=2 builds three). Each block has its own
    // weights (the reference shares weights between extra layers when n_layers ≥ 3: a defect, METHOD.md §8).
    int hiddenLayers = 3;
    // Width of every hidden layer and of the embedding shown to users. Default 256 (scNym default).
    int hiddenSize = 256;
    // Dropout probability in each hidden block. Larger regularises more. Default 0.5 (scNym default).
    double dropout = 0.5;
    // BatchNorm running-average momentum and epsilon. Defaults 0.1 and 1e-5 (PyTorch and scNym defaults).
    double batchNormMomentum = 0.1;
    double batchNormEps = 1e-5;
    // Hidden width of the domain adversary head. Default 256 (scNym default).
    int adversaryHidden = 256;
};

// Everything that decides a training run (METHOD.md §3–§5). Start from a preset (TrainOptions::fromPreset) and change
// fields. Plain value type; validate() names the first bad field.
struct TrainOptions
{
    // The preset this started from ("scnym-default", "reference-exact", "new-identity-discovery", "no-adversary",
    // "supervised"); "custom" once a caller changed a field away from it (callers set this; the trainer ignores it).
    std::string preset = "scnym-default";
    ClassifierOptions classifier;

    // Epochs (passes over the labelled training split). Default 100 (scNym default).
    int epochs = 100;
    // Stop when the model-selection loss has not improved for this many epochs. 0 = automatic (effectivePatience):
    // 5 epochs, or 15 when the model-selection split has fewer than 20 cells (its loss is too noisy to stop on
    // quickly). Default 0 (issue 17: 40 until the linear member, then 15; with weight averaging the automatic rule
    // takes 27% fewer steps over the wide benchmark with the same figures, where 5 everywhere (35% fewer) cost mesc
    // batch3 → batch2 0.027). "reference-exact": 40 (scNym default).
    int patience = 0;
    // Model selection starts at this epoch (earlier weights are never kept). Default 20 (scNym default).
    int minEpochForSelection = 20;
    // Labelled cells per step; the same number of target cells is drawn. Default 256 (scNym default).
    int batchSize = 256;
    // Deviation from the reference (robustness, METHOD.md "small datasets"): an epoch has at least this many steps
    // even when the labelled split is smaller than a few batches; the reference takes one step per epoch there and
    // its accuracy then swings between seeds. 0 = one pass over the labelled split exactly as the reference.
    // Default 10 (20 until issue 17: with the linear member, 10 halves the time to labels for the same mean accuracy
    // on the wide benchmark; 3 cost 0.04–0.40 on kang ctrl → stim and mesc batch3 → batch2); "reference-exact": 0.
    int minStepsPerEpoch = 10;
    // Deviation (issue 17): when the labelled training split is too small for minStepsPerEpoch batches of batchSize,
    // the batch shrinks to about split / minStepsPerEpoch cells, so that an epoch is again about one pass over the
    // labelled cells, but not below this many (the same number of target cells is drawn). The floor of steps exists
    // for the number of updates, not for the size of each: at 256 cells a step on a 300-cell split saw most of it,
    // and an epoch ten times over. Over pbmc and kang (seeds 0–2) 64 cells took 45–55% off the time to labels (mesc,
    // 81 cells, little), every pair's accuracy within 0.013 of 256's (mesc batch2 → batch3 0.990 → 0.977) but the
    // smallest training set's (pbmc 3p_v1 → 3p_v2, 290 cells: 0.887 → 0.868, the regression 0.860). Set it to
    // batchSize or above to keep the batch; with minStepsPerEpoch 0 ("reference-exact") it never applies. Default 64.
    int minBatchSize = 64;

    // Adadelta (the reference's optimiser): learning rate, rho, eps and L2 weight decay. Defaults 1.0, 0.9, 1e-6,
    // 1e-4 (scNym defaults). The adversary head is a second parameter group with the same settings.
    double learningRate = 1.0;
    double rho = 0.9;
    double adadeltaEps = 1e-6;
    double weightDecay = 1e-4;

    // MixMatch on (consistency loss and MixUp with target pseudolabels). Off in "supervised".
    bool mixMatch = true;
    // MixUp λ ~ Beta(α, α), λ' = max(λ, 1 − λ). Smaller α mixes less. Default 0.3 (scNym default).
    double mixupAlpha = 0.3;
    // Pseudolabel sharpening temperature T (q^(1/T), renormalised). Smaller sharpens more. Default 0.5.
    double sharpenTemperature = 0.5;
    // Maximum weight of the consistency loss and the epochs of its linear ramp w_u(e) = max·min(e/ramp, 1).
    // Defaults 1.0 and 100 (scNym defaults).
    double unsupervisedWeight = 1.0;
    int unsupervisedRampEpochs = 100;
    // Target cells whose teacher confidence is below this are left out of MixUp and count 0 in the consistency
    // loss. Default 0 (none; scNym default); "new-identity-discovery": 0.9.
    double pseudolabelThreshold = 0.0;
    // Deviation (issue 17): MixUp pairs every labelled cell with a partner from the pool of labelled and confident
    // target cells, so in the reference the target's pseudolabels enter the supervised loss at full weight from the
    // first step (a labelled row mixed with a target row learns λ·its label + (1 − λ)·the pseudolabel), while they
    // enter the consistency loss along its ramp. On kang_pbmc_ifnb1k ctrl → stim that taught the network its own
    // mistakes on the stimulated monocytes: over 12 seeds 0.70–0.93 (one of them calls most stimulated CD14
    // monocytes CD16, decided by epoch 4; the supervised preset never does). With the ramp, a labelled row keeps a
    // target partner with probability w_u(e) / w_u,max = min(1, epoch / unsupervisedRampEpochs)
    // (targetPartnerShareAt), else gets a labelled partner: pseudolabels reach both losses at the same pace (12 seeds:
    // 0.89–0.93). Shorter ramps of their own (10, 20 epochs) did not help. Default true; "reference-exact": false.
    bool targetPartnerRamp = true;
    // Deviation (tempered distribution alignment, after ReMixMatch, Berthelot et al. 2020): before sharpening,
    // pseudolabels are multiplied by (labelled class frequency / running mean of the teacher's target predictions)^β,
    // so self-training cannot empty a class the target holds (on kang_pbmc_ifnb1k the reference's MixMatch turns most
    // stimulated CD14 monocytes into CD16 monocytes for some seeds). Default true; "reference-exact": false.
    bool distributionAlignment = true;
    // Strength β of the alignment: pseudolabels are multiplied by (labelled frequency / predicted frequency)^β.
    // 1 = ReMixMatch (assumes the target's composition is the training data's); smaller tolerates more composition
    // change. Default 0.25: measured over the six shared pairs × 3 seeds, 0.5 cost 1 point where the target's mix
    // really differs (pbmc 3p_v2 → 5p has 14% CD8 T cells against 24% in training, and 0.5 turned CD4 T cells and
    // monocytes into CD8 T cells) while 0.25 still keeps kang's CD14 monocytes (0.909 against 0.855 without it).
    double alignmentStrength = 0.25;
    // Deviation: the alignment strength falls linearly from β to 0 over this many epochs (alignmentStrengthAt); 0
    // keeps β throughout. The alignment is there so that early self-training cannot empty a class; once the
    // predictions have settled (on kang_pbmc_ifnb1k from the first few epochs, and the adversary is fully in by
    // epoch 20), its pull towards the training composition only biases a target whose composition really differs
    // (pbmc 3p_v2 → 5p: CD8 T cells drift from 15% to 17% of the predictions, 13.5% being true). Default 20.
    int alignmentDecayEpochs = 20;
    // Deviation: when this model labels cells, correct its probabilities for their own class mix (prior-shift EM,
    // Saerens et al. 2002; see correctPriorShift): the classifier learnt the training data's mix, and a target with
    // fewer cells of a class otherwise gets that class too often among its ambiguous cells. Applies to every
    // labelling with the model (LabelingOptions::priorCorrection can still turn it off). Default true (false in
    // reference-exact). It was off for a while in issue 17 (it cost 0.02–0.19 on kang ctrl → stim, mesc batch2 →
    // batch3 and a pbmc pair while the members were calibrated on 9–40 cells); with the members calibrated by
    // cross-fitting and a weakly informative prior it costs none of them more than 0.005, gains 0.025 and 0.04 where
    // the simulated target's mix really differs, and the labelling leaves it out when the two members disagree on
    // the input's mix or the mix has not clearly changed (LabelingOptions::maxMemberCompositionGap,
    // requireSignificantShift).
    bool priorCorrection = true;
    // Also leave low-confidence target cells out of the adversary batch. Default false; on in
    // "new-identity-discovery" (as the reference).
    bool lowConfidenceOutOfAdversary = false;

    // Domain adversary on. Off in "no-adversary" and "supervised".
    bool adversary = true;
    // Maximum gradient-reversal weight and the epochs of its ramp w_d(e) = max·exp(−5(e/ramp − 1)²) for e < ramp,
    // then max. Defaults 0.1 and 20 (scNym defaults).
    double adversaryWeight = 0.1;
    int adversaryRampEpochs = 20;

    // log1p_drop augmentation of labelled cells: each nonzero is dropped with this probability before the row is
    // rescaled to 1e6. 0 turns augmentation off. Default 0.1 (scNym default).
    double augmentDropProbability = 0.1;

    // Deviation (issue 17): the model is the running mean of the weights of every epoch from minEpochForSelection
    // to the stop (stochastic weight averaging, Izmailov et al. 2018), its BatchNorm statistics then recomputed by
    // one pass over the training cells, instead of the one epoch with the lowest selection loss. The pick on
    // a 9-cell selection split is noise on small sets (mesc batch3 → batch2: 0.79–0.99 over seeds 0–2; averaged
    // 0.98–0.99); early stopping still watches the selection loss. Default true; "reference-exact": false.
    bool weightAveraging = true;

    // Labelled cells set aside for model selection and for the final held-out check. Defaults 0.09 and 0.10
    // (≈ the reference's split).
    double modelSelectionFraction = 0.09;
    double heldOutFraction = 0.10;

    // Fit a temperature on the model-selection and held-out cells after training so confidences are calibrated
    // (METHOD.md §7; the held-out check cross-fitted, fitTemperatureWithHeldOut); a MAP fit under a log-normal prior
    // around T = 1 (kTemperaturePriorSigma), so a small split cannot run it away.
    // Default true.
    bool temperatureScaling = true;

    // Deviation (issue 17): a linear member. A multinomial logistic regression (linear.h: scikit-learn's objective
    // with C = 1 on the unscaled log1p(CPM) values) is fitted with the network, and the model's probabilities are
    // (1 − s)·network + s·linear, each with its own calibration temperature; the regression's own call per cell is
    // kept as a second opinion. Negative: s is chosen after training. The even mix (s = ½) is the default; when the
    // members disagree on more than 2% of the target cells, reverse validation (Zhong et al. 2010: a candidate's
    // target labels train a linear classifier on the target cells, which must then label the known cells) scores the
    // network alone, the mix and the regression alone, and a single member replaces the mix only when it scores
    // clearly higher (by at least 0.02 and a third of the mix's remaining reverse error). So the engine notices without target labels when the
    // network's self-training has drifted (a tiny labelled set, a very shifted target) or the regression is the
    // weaker one. 0 = the network alone; in (0, 1]: that share. Default −1; "reference-exact": 0.
    double linearShare = -1.0;

    // Seed for initialisation, splits, batches, augmentation, MixUp and dropout. Same seed, inputs and one thread:
    // bit-identical results.
    std::uint64_t seed = 0;
    // CPU threads for torch. 0 = all cores. Default 0.
    int threads = 0;

    // The named preset; throws nym::Error naming the valid names for an unknown one.
    static TrainOptions fromPreset(const std::string &name);
    static std::vector<std::string> presetNames();
    // Throws nym::Error naming the first field out of range.
    void validate() const;
    // Field-by-field equality ignoring `preset` (to tell whether a configuration still matches its preset).
    bool sameSettings(const TrainOptions &other) const;
};

// The patience in force for a model-selection split of `selectionCells` cells: TrainOptions::patience, or when it is
// 0, kSmallSelectionPatience below kSmallSelectionCells cells and kAutomaticPatience from there.
inline constexpr int kAutomaticPatience = 5, kSmallSelectionPatience = 15;
inline constexpr std::int64_t kSmallSelectionCells = 20;
int effectivePatience(const TrainOptions &options, std::int64_t selectionCells);

// The ramps of METHOD.md §3, epochs counted from 0.
double unsupervisedWeightAt(const TrainOptions &options, int epoch);
double adversaryWeightAt(const TrainOptions &options, int epoch);
// The distribution-alignment strength in force at a fractional epoch (epoch + step / steps per epoch):
// β·max(0, 1 − progress / alignmentDecayEpochs), or β when alignmentDecayEpochs is 0; 0 when alignment is off.
double alignmentStrengthAt(const TrainOptions &options, double progress);
// The probability that a labelled row keeps a target MixUp partner at an epoch: min(1, epoch /
// unsupervisedRampEpochs) with TrainOptions::targetPartnerRamp, else (or with a 0-epoch MixMatch ramp) 1.
double targetPartnerShareAt(const TrainOptions &options, int epoch);

}   // namespace nym
