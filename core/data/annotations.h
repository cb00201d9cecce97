#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nym {

// The final label of cells below the confidence threshold or without counts in the model's genes.
inline constexpr const char *kUnassigned = "Unassigned";

// Where a cell's final label comes from.
enum class LabelSource : std::uint8_t
{
    Model,        // the model's call under the confidence threshold (its label, or Unassigned)
    Accepted,     // a person accepted the model's label (kept whatever the threshold)
    Relabelled,   // a person set it for this cell; the threshold no longer applies to the cell
    Lasso,        // a person set it for a selection of cells at once
};
// "model", "accepted", "relabelled", "lasso": the words the exports write.
const char *labelSourceName(LabelSource source);

// The per-cell annotations of one labelled file: what the model predicted (label, confidence, probabilities) and
// the final label with its source, whether a person reviewed the cell and when it was last edited. The
// confidence-threshold rule is written here and only here (isBelowThreshold); the CLI's outputs, the exports and
// the app's Project all read final labels from this type. Plain value type: copies share the immutable
// probabilities and nothing else. One thread at a time.
class Annotations
{
public:
    // The model's output for every cell of the file, as the constructor takes it.
    struct Predicted
    {
        std::vector<std::string> classes;           // the model's classes, in output order
        std::vector<std::int32_t> label;            // argmax class per cell (index into classes)
        std::vector<float> confidence;              // its probability (0 for cells without counts)
        std::vector<std::uint8_t> noCounts;         // 1 for cells with no counts in the model's genes
        std::shared_ptr<const std::vector<float>> probabilities;   // cells × classes, row-major; may be null
        // An independent second opinion per cell (the model's linear member: its class and probability), or empty.
        std::vector<std::int32_t> secondLabel;
        std::vector<float> secondConfidence;
    };

    Annotations() = default;
    // Every cell starts with the model's call at `threshold`. Throws nym::Error when the per-cell vectors differ in
    // length, a label is not a class, or the threshold is not a number in [0, 1].
    Annotations(Predicted predicted, double threshold);

    // The threshold rule: a cell is unsure when it has no counts in the model's genes or its confidence is below
    // the threshold (a confidence equal to the threshold is kept).
    static bool isBelowThreshold(float confidence, bool noCounts, double threshold);
    // Throws nym::Error unless the threshold is a number in [0, 1].
    static void validateThreshold(double threshold);

    std::int64_t cells() const { return static_cast<std::int64_t>(m_p.label.size()); }
    const std::vector<std::string> &classes() const { return m_p.classes; }
    double threshold() const { return m_threshold; }
    // Re-applies the rule to every cell whose final label comes from the model; expert labels stay as they are.
    void setThreshold(double threshold);

    std::int32_t predicted(std::int64_t cell) const { return m_p.label[index(cell)]; }
    const std::string &predictedLabel(std::int64_t cell) const;
    float confidence(std::int64_t cell) const { return m_p.confidence[index(cell)]; }
    bool noCounts(std::int64_t cell) const { return m_p.noCounts[index(cell)] != 0; }
    // The model's call for this cell is under the threshold (whatever its final label now is).
    bool isUnsure(std::int64_t cell) const;
    // A person touched the cell: its label comes from a person, it was reviewed, or it was edited (and given back
    // to the model since). What a saved review has to carry.
    bool isEdited(std::int64_t cell) const;
    // The cell's probabilities in class order, or nullptr when they were not kept.
    const float *probabilities(std::int64_t cell) const;
    // The second opinion's class (index into classes) and probability, or −1 and 0 when there is none.
    bool hasSecondOpinion() const { return !m_p.secondLabel.empty(); }
    std::int32_t secondLabel(std::int64_t cell) const { return hasSecondOpinion() ? m_p.secondLabel[index(cell)] : -1; }
    float secondConfidence(std::int64_t cell) const { return hasSecondOpinion() ? m_p.secondConfidence[index(cell)] : 0.f; }

    const std::string &finalLabel(std::int64_t cell) const { return m_names[static_cast<std::size_t>(m_final[index(cell)])]; }
    // Final labels as codes into labelNames() (classes, then Unassigned, then names experts introduced): what a
    // view colouring a million cells reads instead of strings.
    std::int32_t finalCode(std::int64_t cell) const { return m_final[index(cell)]; }
    const std::vector<std::string> &labelNames() const { return m_names; }
    LabelSource source(std::int64_t cell) const { return static_cast<LabelSource>(m_source[index(cell)]); }
    bool reviewed(std::int64_t cell) const { return m_reviewed[index(cell)] != 0; }
    // Seconds since 1970-01-01 UTC of the last edit; 0 when the cell was never edited.
    std::int64_t editTime(std::int64_t cell) const { return m_editTime[index(cell)]; }
    // Cells whose final label is Unassigned.
    std::int64_t unassignedCount() const { return m_unassigned; }

    std::vector<std::string> predictedLabels() const;
    std::vector<std::string> finalLabels() const;

    // Edits (one cell at a time; Project wraps them in undo commands). `time` is the edit time to record.
    // An expert label may be a class, Unassigned or a new name (not empty); its source is Relabelled or Lasso
    // (nym::Error for Model or Accepted).
    void setExpertLabel(std::int64_t cell, const std::string &label, std::int64_t time,
        LabelSource source = LabelSource::Relabelled);
    // The model's label, accepted by a person: kept whatever the threshold, and the cell is marked reviewed.
    void accept(std::int64_t cell, std::int64_t time);
    // Gives the cell back to the model's call under the current threshold.
    void clearExpertLabel(std::int64_t cell, std::int64_t time);
    void setReviewed(std::int64_t cell, bool reviewed, std::int64_t time);

    // Everything an edit can change in one cell, to put it back exactly (undo). The name is an index into
    // labelNames(), which only grows, so an old state stays valid after new names were added.
    struct CellState
    {
        std::int32_t name = 0;
        LabelSource source = LabelSource::Model;
        bool reviewed = false;
        std::int64_t editTime = 0;
        bool operator==(const CellState &) const = default;
    };
    CellState state(std::int64_t cell) const;
    void restore(std::int64_t cell, const CellState &state);
    // The same with the label given by name (a saved review: name indices differ between sessions).
    void restore(std::int64_t cell, const std::string &label, const CellState &state);
    // The index of a label name in labelNames(), or −1.
    std::int32_t findName(const std::string &name) const;

private:
    std::size_t index(std::int64_t cell) const { return static_cast<std::size_t>(cell); }
    std::size_t checked(std::int64_t cell) const;
    std::int32_t nameIndex(const std::string &name);
    std::int32_t modelCall(std::size_t cell) const;
    void setFinal(std::size_t cell, std::int32_t name);

    Predicted m_p;
    double m_threshold = 0.5;
    std::vector<std::string> m_names;          // classes, then Unassigned, then names experts introduced
    std::vector<std::int32_t> m_final;         // index into m_names
    std::vector<std::uint8_t> m_source;        // LabelSource
    std::vector<std::uint8_t> m_reviewed;
    std::vector<std::int64_t> m_editTime;
    std::int64_t m_unassigned = 0;
};

}   // namespace nym
