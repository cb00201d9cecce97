#include "app/nym/common.h"
#include "app/nym/commands.h"

#include <CLI/CLI.hpp>

#include "core/common/error.h"

#include <cstdio>
#include <exception>
#include <unistd.h>

namespace nym::cli {

ProgressBar::ProgressBar(std::string label)
    : m_label(std::move(label))
    , m_enabled(isatty(STDERR_FILENO) != 0)
{ }

ProgressBar::~ProgressBar()
{
    if (m_enabled && m_last >= 0 && m_last < 100)
        std::fputc('\n', stderr);
}

void ProgressBar::update(double fraction, const std::string &detail)
{
    if (!m_enabled)
        return;
    const int pct = static_cast<int>(fraction * 100.0);
    if (pct == m_last && detail.empty())
        return;
    m_last = pct;
    const int width = 30, filled = pct * width / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %s\033[K", m_label.c_str(), filled, "##############################",
        width - filled, "", pct, detail.c_str());
    if (pct >= 100)
        std::fputc('\n', stderr);
    std::fflush(stderr);
}

void ProgressBar::finish()
{
    update(1.0);
}

int guarded(const std::function<int()> &body)
{
    try {
        return body();
    } catch (const nym::Error &e) {
        std::fprintf(stderr, "nym: %s\n", e.what());
    } catch (const std::bad_alloc &) {
        std::fprintf(stderr, "nym: out of memory\n");
    } catch (const std::exception &e) {
        std::fprintf(stderr, "nym: unexpected error: %s\n", e.what());
    }
    return 1;
}

int runApp(CLI::App &app, int argc, char **argv, const int &exitCode)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::fprintf(stderr, "nym: %s (see nym --help)\n", e.what());
        return 2;
    }
    return exitCode;
}

}   // namespace nym::cli
