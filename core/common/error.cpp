#include "core/common/error.h"

namespace nym {

Error::Error(const std::string &message)
    : std::runtime_error(message)
{ }

}   // namespace nym
