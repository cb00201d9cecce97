// nym-isolate: performs one file job for Nym Studio's reader or writer in a fresh process (see core/io/isolatedjob.h).
#include "core/io/isolatedjob.h"

int main(int argc, char **argv)
{
    return nym::io::isolatedJobMain(argc, argv);
}
