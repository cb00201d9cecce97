#pragma once

#include "core/data/dataset.h"
#include "core/model/labeling.h"
#include "core/model/model.h"
#include "core/nn/saliency.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

namespace nym::ui {

// Which genes drove one cell's call, asked for by the inspector.
struct SaliencyRequest
{
    std::shared_ptr<const Model> model;
    DatasetPtr dataset;                          // the target file holding the cell
    std::shared_ptr<const Labeling> labeling;    // that file's predictions (the classes of the reference pool)
    std::int64_t cell = 0;                       // in the file
    std::int32_t cls = -1;                       // the class to explain; −1: the predicted one
    SaliencyMethod method = SaliencyMethod::ExpectedGradients;
    int top = 20;
    bool classSummary = false;                   // the class's mean attributions (cell ignored; cls required)
};

struct SaliencyResult
{
    SaliencyRequest request;
    std::vector<GeneAttribution> genes;          // largest attribution first
    QString error;
};

// Computes saliency (core/nn's Saliency) off the GUI thread, one request at a time. A new request replaces the one
// waiting (scrolling through cells never builds a backlog; the one running finishes and is cached); results are
// cached per (model, file, cell, class, method) and a cached one is answered at once. Per file, the aligned
// log1p(CPM) matrix and the Saliency object are built once, in the worker. Owned by the inspector; GUI thread.
class SaliencyService : public QObject
{
    Q_OBJECT

public:
    explicit SaliencyService(QObject *parent = nullptr);
    ~SaliencyService() override;

    void request(const SaliencyRequest &request);
    bool isRunning() const { return m_running; }
    int computedCount() const { return m_computed; }   // jobs actually run (tests: cache hits and dropped requests)

Q_SIGNALS:
    void ready(const nym::ui::SaliencyResult &result);

private:
    using Key = std::tuple<const Model *, const Dataset *, std::int64_t, std::int32_t, int>;
    static Key keyOf(const SaliencyRequest &r);
    void startNext();

    struct Context;
    std::shared_ptr<Context> m_context;   // used by one job at a time (the jobs run one after another)
    std::optional<SaliencyRequest> m_pending;
    bool m_running = false;
    int m_computed = 0;
    std::map<Key, std::vector<GeneAttribution>> m_cache;
};

}   // namespace nym::ui

Q_DECLARE_METATYPE(nym::ui::SaliencyResult)
