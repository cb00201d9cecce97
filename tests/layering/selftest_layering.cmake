# Proves check_layering.cmake can fail: builds a tree with a Qt include in core, a torch include in ui, core/io
# including core/nn (a folder above it) and a widget in the document library
# (in the build folder, never in the sources) and expects the check to reject it.
set(tree "${WORK_DIR}/layering_selftest")
file(REMOVE_RECURSE "${tree}")
set(open "#include <")
file(WRITE "${tree}/core/data/bad.cpp" "${open}QString>\n")
file(WRITE "${tree}/ui/widgets/bad.cpp" "${open}torch/torch.h>\n")
file(WRITE "${tree}/core/data/good.cpp" "${open}vector>\n")
file(WRITE "${tree}/core/io/up.cpp" "#include \"core/nn/trainer.h\"\n")
file(WRITE "${tree}/core/nn/down.cpp" "#include \"core/model/model.h\"\n")
file(WRITE "${tree}/ui/document/w.cpp" "${open}QWidget>\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${tree} -P "${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the layering check accepted a tree with violations")
endif()
if(NOT err MATCHES "core/data/bad.cpp: Qt header" OR NOT err MATCHES "ui/widgets/bad.cpp: torch outside core/nn"
   OR NOT err MATCHES "core/io/up.cpp: core/io includes core/nn" OR NOT err MATCHES "ui/document/w.cpp: ui/document is widget-free")
  message(FATAL_ERROR "the layering check did not name every violation:\n${err}")
endif()
if(err MATCHES "good.cpp" OR err MATCHES "down.cpp")
  message(FATAL_ERROR "the layering check flagged a clean file:\n${err}")
endif()
message(STATUS "layering self-test: every violation found")
