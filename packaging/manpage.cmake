# Writes a man page from a program's own --help with help2man (cmake -P; called by packaging/install.cmake).
#   -DNYM=<path to nym>             nym.1: the top-level help plus every subcommand's help as its own section
#   -DNYMSTUDIO=<path to nymstudio> nymstudio.1
#   -DHELP2MAN=<help2man> -DOUT=<file.1> -DVERSION=<x.y.z>
# The programs run under their bare names (PATH points at their folder) so the usage lines read "nym ...", not a
# build path; nymstudio runs on Qt's offscreen platform.

function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(include "${OUT}.h2m")
if(NYM)
  get_filename_component(dir "${NYM}" DIRECTORY)
  set(program nym)
  set(name "label single-cell RNA-seq data with the scNym method")
  execute_process(COMMAND "${NYM}" --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nym --help failed (${rc})")
  endif()
  string(REGEX REPLACE ".*Subcommands:\n" "" listing "${top}")
  string(REGEX MATCHALL "(^|\n)  [a-z-]+" commands "${listing}")
  set(text "[COMMANDS]\nEach command has its own options; \\fBnym\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR prints them.\n")
  foreach(c IN LISTS commands)
    string(STRIP "${c}" c)
    execute_process(COMMAND "${NYM}" ${c} --help OUTPUT_VARIABLE h RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "nym ${c} --help failed (${rc})")
    endif()
    string(REPLACE "${NYM}" "nym" h "${h}")
    roff_escape("${h}" h)
    string(APPEND text ".SS \"nym ${c}\"\n.nf\n${h}.fi\n")
  endforeach()
  string(APPEND text "[EXAMPLES]\n.nf\nnym inspect train.h5ad \\-\\-target target.h5ad\n"
    "nym train \\-\\-train train.h5ad \\-\\-target target.h5ad \\-\\-model m.nym \\-\\-output labelled.h5ad\n"
    "nym predict \\-\\-model m.nym \\-\\-input next.h5ad \\-\\-output next.labelled.h5ad\n.fi\n"
    "[SEE ALSO]\n\\fBnymstudio\\fR(1); the user guide in /usr/share/doc/nymstudio/README.md.\n")
else()
  get_filename_component(dir "${NYMSTUDIO}" DIRECTORY)
  set(program nymstudio)
  set(name "the Nym Studio desktop application")
  set(ENV{QT_QPA_PLATFORM} offscreen)
  set(text "[SEE ALSO]\n\\fBnym\\fR(1) for the same work from the command line; the user guide in\n"
    "/usr/share/doc/nymstudio/README.md.\n")
endif()
file(WRITE "${include}" "${text}")
set(ENV{PATH} "${dir}:$ENV{PATH}")
execute_process(COMMAND "${HELP2MAN}" --no-info --name "${name}" --version-string "${VERSION}"
    --include "${include}" --output "${OUT}" ${program}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man ${program} failed (${rc}): ${err}")
endif()
# Debian installs man pages gzip-compressed (-n: no name or time stamp, so the package is reproducible).
execute_process(COMMAND gzip -9 -n -f -k "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUT} failed (${rc})")
endif()
