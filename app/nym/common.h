#pragma once

#include <functional>
#include <string>

namespace nym::cli {

// A progress bar on stderr when it is a terminal; silent otherwise. Single-threaded.
class ProgressBar
{
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    void update(double fraction, const std::string &detail = {});
    void finish();

private:
    std::string m_label;
    bool m_enabled;
    int m_last = -1;
};

// Runs `body`; on nym::Error (or any std::exception) prints one line "nym: <message>" on stderr and returns 1.
int guarded(const std::function<int()> &body);

}   // namespace nym::cli
