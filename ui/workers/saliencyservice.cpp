#include "ui/workers/saliencyservice.h"

#include "core/common/error.h"
#include "core/nn/labeler.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent>

namespace nym::ui {

struct SaliencyService::Context
{
    std::shared_ptr<const Model> model;
    DatasetPtr dataset;
    SaliencyMethod method = SaliencyMethod::ExpectedGradients;
    CellMatrix x;
    std::unique_ptr<Saliency> saliency;
};

SaliencyService::SaliencyService(QObject *parent)
    : QObject(parent)
    , m_context(std::make_shared<Context>())
{
    qRegisterMetaType<SaliencyResult>();
}

SaliencyService::~SaliencyService() = default;

SaliencyService::Key SaliencyService::keyOf(const SaliencyRequest &r)
{
    if (r.classSummary)
        return {r.model.get(), r.dataset.get(), -1, r.cls, static_cast<int>(r.method)};
    const std::int32_t cls = r.cls >= 0 ? r.cls : r.labeling->predictions.label[static_cast<std::size_t>(r.cell)];
    return {r.model.get(), r.dataset.get(), r.cell, cls, static_cast<int>(r.method)};
}

void SaliencyService::request(const SaliencyRequest &request)
{
    if (!request.model || !request.dataset || !request.labeling)
        return;
    if (request.classSummary ? (request.cls < 0 || request.cls >= static_cast<std::int32_t>(request.labeling->predictions.classes.size()))
                             : (request.cell < 0 || request.cell >= request.dataset->cells()))
        return;
    const auto hit = m_cache.find(keyOf(request));
    if (hit != m_cache.end()) {
        SaliencyResult r {request, hit->second, {}};
        // Answered after the caller returns, like a computed one.
        QTimer::singleShot(0, this, [this, r] { Q_EMIT ready(r); });
        return;
    }
    m_pending = request;   // replaces any request still waiting
    if (!m_running)
        startNext();
}

void SaliencyService::startNext()
{
    if (!m_pending)
        return;
    SaliencyRequest request = *m_pending;
    m_pending.reset();
    m_running = true;
    ++m_computed;
    auto *watcher = new QFutureWatcher<SaliencyResult>(this);
    connect(watcher, &QFutureWatcher<SaliencyResult>::finished, this, [this, watcher] {
        const SaliencyResult r = watcher->result();
        watcher->deleteLater();
        m_running = false;
        if (r.error.isEmpty())
            m_cache[keyOf(r.request)] = r.genes;
        Q_EMIT ready(r);
        startNext();
    });
    watcher->setFuture(QtConcurrent::run([context = m_context, request]() -> SaliencyResult {
        SaliencyResult r {request, {}, {}};
        try {
            Context &c = *context;
            if (c.model != request.model || c.dataset != request.dataset || c.method != request.method || !c.saliency) {
                LabelingOptions options;
                options.keepMatrix = true;
                options.priorCorrection = false;
                c.saliency.reset();
                c.x = labelDataset(*request.model, *request.dataset, options).matrix;
                SaliencyOptions so;
                so.method = request.method;
                c.saliency = std::make_unique<Saliency>(*request.model, c.x, request.labeling->predictions.label, so);
                c.model = request.model;
                c.dataset = request.dataset;
                c.method = request.method;
            }
            r.genes = request.classSummary ? c.saliency->explainClass(request.cls, request.top)
                                           : c.saliency->explainCell(request.cell, request.top, request.cls);
        } catch (const std::exception &e) {
            r.error = QString::fromUtf8(e.what());
        }
        return r;
    }));
}

}   // namespace nym::ui
