// Cell browser benchmark (issue 15): frame times of the Map step at 100,000 and 1,000,000 simulated cells, measured
// offscreen on the real widgets: a full redraw, a colour-by change (colours, draw order, legend and the redraw),
// hover lookup, a lasso over about half the cells, and the memory the browser holds per cell.
//   QT_QPA_PLATFORM=offscreen build/tests/bench_browser [cells...]     (default 100000 1000000)
// Prints a Markdown table; medians of 7 runs (hover: mean of 2,000 lookups).
#include "common/fakelabeling.h"

#include "core/data/simulator.h"
#include "ui/browser/browserpage.h"
#include "ui/browser/cellmapview.h"
#include "ui/document/project.h"
#include "ui/document/projectcontroller.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPolygonF>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

long rssKb()
{
    std::ifstream status("/proc/self/status");
    std::string key;
    long value = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> value;
            return value;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

}   // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    std::vector<std::int64_t> sizes;
    for (int i = 1; i < argc; ++i)
        sizes.push_back(std::stoll(argv[i]));
    if (sizes.empty())
        sizes = {100000, 1000000};
    std::printf("| cells | full redraw ms | colour-by change ms (label / confidence) | hover lookup µs | lasso ms (cells inside) | browser memory per cell |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (std::int64_t n : sizes) {
        // Data: a small simulated matrix (the browser never reads expression unless colouring by a gene),
        // predictions over 12 classes and a clustered layout.
        nym::SimulatorOptions so;
        so.cells = n;
        so.genes = 40;
        so.types = 12;
        so.domains = 1;
        auto dataset = std::make_shared<const nym::Dataset>(nym::simulate(so).front().data);
        std::vector<std::string> classes;
        for (int c = 0; c < 12; ++c)
            classes.push_back("class" + std::to_string(c));
        nym::ui::Project project;
        project.setData(nym::ui::Project::check({}, {dataset}));
        project.setLabelings({nymtest::fakeLabeling(*dataset, classes, 3)});
        auto map = std::make_shared<nym::ui::Project::CellMap>();
        std::mt19937 rng(7);
        std::normal_distribution<float> noise(0, 1);
        for (std::int64_t i = 0; i < n; ++i) {
            const int c = static_cast<int>(i % 12);
            map->target.push_back(static_cast<float>(8 * std::cos(c * 0.52)) + noise(rng));
            map->target.push_back(static_cast<float>(8 * std::sin(c * 0.52)) + noise(rng));
        }
        map->labelings = project.labelings();
        nym::ui::ProjectController controller(&project);
        const long before = rssKb();
        nym::ui::BrowserPage page(&project, &controller);
        page.resize(1400, 900);
        page.show();
        if (!project.setCellMap(map))
            return 1;
        app.processEvents();
        const long after = rssKb();
        auto *view = page.view();
        std::vector<double> redraw, recolourLabel, recolourConfidence, lasso;
        for (int r = 0; r < 7; ++r) {
            QElapsedTimer t;
            view->setPointScale(1.0 + 1e-6 * r);   // invalidates the cached frame
            t.start();
            view->repaint();
            redraw.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
            t.restart();
            page.setColorBy(QStringLiteral("confidence"));
            view->repaint();
            recolourConfidence.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
            t.restart();
            page.setColorBy(QStringLiteral("predicted"));
            view->repaint();
            recolourLabel.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        }
        // Hover: random positions over the view.
        std::uniform_real_distribution<double> ux(0, view->width()), uy(0, view->height());
        QElapsedTimer t;
        t.start();
        std::int64_t found = 0;
        for (int q = 0; q < 2000; ++q)
            found += view->pointAt(QPointF(ux(rng), uy(rng))) >= 0;
        const double hoverUs = static_cast<double>(t.nsecsElapsed()) / 1e3 / 2000;
        // A hand-drawn-like lasso (200 vertices) around the left half of the map.
        QPolygonF polygon;
        for (int v = 0; v < 200; ++v) {
            const double a = 6.283185307 * v / 200;
            polygon << QPointF(-3 + 9 * std::cos(a) * (1 + 0.05 * std::sin(9 * a)), 12 * std::sin(a));
        }
        for (int r = 0; r < 7; ++r) {
            t.restart();
            view->selectPolygon(polygon, nym::CellSelection::Mode::Replace);
            lasso.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        }
        std::printf("| %lld | %.1f | %.0f / %.0f | %.1f | %.0f (%lld) | %.0f bytes |\n", static_cast<long long>(n), median(redraw),
            median(recolourLabel), median(recolourConfidence), hoverUs, median(lasso),
            static_cast<long long>(view->selection().count()), (after - before) * 1024.0 / static_cast<double>(n));
        std::fflush(stdout);
        (void)found;
    }
    return 0;
}
