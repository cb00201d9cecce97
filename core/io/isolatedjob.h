#pragma once
// The entry point of the helper program nym-isolate (app/isolate): performs one isolated file job that the reader or
// writer of this library asked for, in a fresh process. Not for other callers: the arguments are an internal
// protocol between this library and the helper of the same build.

namespace nym::io {

// argv: nym-isolate <kind> <arguments...>; reports an error message on file descriptor 3. Returns the exit status:
// 0 done, 2 bad usage, 3 the job's error (nym::Error), 4 another exception.
int isolatedJobMain(int argc, char **argv);

}   // namespace nym::io
