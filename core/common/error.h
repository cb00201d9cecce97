#pragma once

#include <stdexcept>
#include <string>

namespace nym {

// The one exception type of the engine. Its message is a sentence for the user that names the file, the
// element and the problem ("ctrl.h5ad: /X/indptr: values decrease at row 17"). Thrown by any thread;
// callers at the edges (CLI, GUI workers) turn it into one line of text or a dialog.
class Error : public std::runtime_error
{
public:
    explicit Error(const std::string &message);
};

}   // namespace nym
