#include "core/data/annotations.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>

namespace nym {

void Annotations::validateThreshold(double threshold)
{
    if (!std::isfinite(threshold) || threshold < 0 || threshold > 1)
        throw Error("The confidence threshold must be a number from 0 to 1 (got " + std::to_string(threshold) + ").");
}

Annotations::Annotations(Predicted predicted, double threshold)
    : m_p(std::move(predicted))
{
    validateThreshold(threshold);
    const std::size_t n = m_p.label.size();
    if (m_p.confidence.size() != n || m_p.noCounts.size() != n)
        throw Error("Annotations: the labels, confidences and no-count flags cover different numbers of cells ("
            + std::to_string(n) + ", " + std::to_string(m_p.confidence.size()) + ", "
            + std::to_string(m_p.noCounts.size()) + ").");
    if (m_p.probabilities && m_p.probabilities->size() != n * m_p.classes.size())
        throw Error("Annotations: the probabilities do not hold one value per cell and class.");
    const auto classes = static_cast<std::int32_t>(m_p.classes.size());
    if (!m_p.secondLabel.empty()
        && (m_p.secondLabel.size() != n || m_p.secondConfidence.size() != n
            || std::any_of(m_p.secondLabel.begin(), m_p.secondLabel.end(), [&](std::int32_t l) { return l < 0 || l >= classes; })))
        throw Error("Annotations: the second opinion does not hold one class and probability per cell.");
    for (std::int32_t l : m_p.label)
        if (l < 0 || l >= classes)
            throw Error("Annotations: a predicted label (" + std::to_string(l) + ") is not one of the "
                + std::to_string(classes) + " classes.");
    m_names = m_p.classes;
    m_names.emplace_back(kUnassigned);
    m_threshold = threshold;
    m_final.resize(n);
    m_source.assign(n, static_cast<std::uint8_t>(LabelSource::Model));
    m_reviewed.assign(n, 0);
    m_editTime.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        m_final[i] = modelCall(i);
    m_unassigned = std::count(m_final.begin(), m_final.end(), classes);
}

bool Annotations::isBelowThreshold(float confidence, bool noCounts, double threshold)
{
    return noCounts || confidence < threshold;
}

bool Annotations::isEdited(std::int64_t cell) const
{
    const std::size_t i = index(cell);
    return m_source[i] != static_cast<std::uint8_t>(LabelSource::Model) || m_reviewed[i] != 0 || m_editTime[i] != 0;
}

bool Annotations::isUnsure(std::int64_t cell) const
{
    const std::size_t i = index(cell);
    return isBelowThreshold(m_p.confidence[i], m_p.noCounts[i] != 0, m_threshold);
}

std::int32_t Annotations::modelCall(std::size_t cell) const
{
    return isBelowThreshold(m_p.confidence[cell], m_p.noCounts[cell] != 0, m_threshold)
        ? static_cast<std::int32_t>(m_p.classes.size())   // Unassigned
        : m_p.label[cell];
}

void Annotations::setFinal(std::size_t cell, std::int32_t name)
{
    const auto unassigned = static_cast<std::int32_t>(m_p.classes.size());
    if (m_final[cell] == unassigned && name != unassigned)
        --m_unassigned;
    else if (m_final[cell] != unassigned && name == unassigned)
        ++m_unassigned;
    m_final[cell] = name;
}

void Annotations::setThreshold(double threshold)
{
    validateThreshold(threshold);
    m_threshold = threshold;
    for (std::size_t i = 0; i < m_final.size(); ++i)
        if (m_source[i] == static_cast<std::uint8_t>(LabelSource::Model))
            setFinal(i, modelCall(i));
}

const std::string &Annotations::predictedLabel(std::int64_t cell) const
{
    return m_p.classes[static_cast<std::size_t>(m_p.label[index(cell)])];
}

const float *Annotations::probabilities(std::int64_t cell) const
{
    if (!m_p.probabilities)
        return nullptr;
    return m_p.probabilities->data() + index(cell) * m_p.classes.size();
}

std::vector<std::string> Annotations::predictedLabels() const
{
    std::vector<std::string> out;
    out.reserve(m_p.label.size());
    for (std::int32_t l : m_p.label)
        out.push_back(m_p.classes[static_cast<std::size_t>(l)]);
    return out;
}

std::vector<std::string> Annotations::finalLabels() const
{
    std::vector<std::string> out;
    out.reserve(m_final.size());
    for (std::int32_t l : m_final)
        out.push_back(m_names[static_cast<std::size_t>(l)]);
    return out;
}

std::size_t Annotations::checked(std::int64_t cell) const
{
    if (cell < 0 || cell >= cells())
        throw Error("Annotations: cell " + std::to_string(cell) + " is out of range (" + std::to_string(cells())
            + " cells).");
    return index(cell);
}

std::int32_t Annotations::nameIndex(const std::string &name)
{
    const auto it = std::find(m_names.begin(), m_names.end(), name);
    if (it != m_names.end())
        return static_cast<std::int32_t>(it - m_names.begin());
    m_names.push_back(name);
    return static_cast<std::int32_t>(m_names.size() - 1);
}

void Annotations::setExpertLabel(std::int64_t cell, const std::string &label, std::int64_t time, LabelSource source)
{
    const std::size_t i = checked(cell);
    if (label.empty())
        throw Error("A cell's label cannot be empty.");
    if (source != LabelSource::Relabelled && source != LabelSource::Lasso)
        throw Error("A label set by a person must be marked relabelled or lasso.");
    setFinal(i, nameIndex(label));
    m_source[i] = static_cast<std::uint8_t>(source);
    m_editTime[i] = time;
}

void Annotations::accept(std::int64_t cell, std::int64_t time)
{
    const std::size_t i = checked(cell);
    setFinal(i, m_p.label[i]);
    m_source[i] = static_cast<std::uint8_t>(LabelSource::Accepted);
    m_reviewed[i] = 1;
    m_editTime[i] = time;
}

Annotations::CellState Annotations::state(std::int64_t cell) const
{
    const std::size_t i = checked(cell);
    return {m_final[i], static_cast<LabelSource>(m_source[i]), m_reviewed[i] != 0, m_editTime[i]};
}

void Annotations::restore(std::int64_t cell, const CellState &state)
{
    const std::size_t i = checked(cell);
    if (state.name < 0 || state.name >= static_cast<std::int32_t>(m_names.size()))
        throw Error("Annotations: label index " + std::to_string(state.name) + " does not exist.");
    setFinal(i, state.name);
    m_source[i] = static_cast<std::uint8_t>(state.source);
    m_reviewed[i] = state.reviewed ? 1 : 0;
    m_editTime[i] = state.editTime;
}

void Annotations::restore(std::int64_t cell, const std::string &label, const CellState &state)
{
    if (label.empty())
        throw Error("A cell's label cannot be empty.");
    CellState named = state;
    named.name = nameIndex(label);
    restore(cell, named);
}

std::int32_t Annotations::findName(const std::string &name) const
{
    const auto it = std::find(m_names.begin(), m_names.end(), name);
    return it == m_names.end() ? -1 : static_cast<std::int32_t>(it - m_names.begin());
}

const char *labelSourceName(LabelSource source)
{
    switch (source) {
    case LabelSource::Model: return "model";
    case LabelSource::Accepted: return "accepted";
    case LabelSource::Relabelled: return "relabelled";
    case LabelSource::Lasso: return "lasso";
    }
    return "model";
}

void Annotations::clearExpertLabel(std::int64_t cell, std::int64_t time)
{
    const std::size_t i = checked(cell);
    m_source[i] = static_cast<std::uint8_t>(LabelSource::Model);
    setFinal(i, modelCall(i));
    m_editTime[i] = time;
}

void Annotations::setReviewed(std::int64_t cell, bool reviewed, std::int64_t time)
{
    const std::size_t i = checked(cell);
    m_reviewed[i] = reviewed ? 1 : 0;
    m_editTime[i] = time;
}

}   // namespace nym
