# Installation layout and the Debian package (CPack). Included from the top-level CMakeLists.txt.
#
#   /usr/bin/nym, /usr/bin/nymstudio
#   /usr/lib/<multiarch>/nym/libnym_engine.so     (NYM_ENGINE_DIR; nym loads it from <bin>/../NYM_ENGINE_DIR)
#   /usr/lib/<multiarch>/nym/nym-isolate          (the file-check helper core/io starts, found the same way)
#   /usr/share/applications/<id>.desktop           (MIME types: .h5ad, .h5, .nym, .nymproj)
#   /usr/share/mime/packages/nymstudio.xml
#   /usr/share/metainfo/<id>.metainfo.xml          (AppStream; version and date from this project)
#   /usr/share/icons/hicolor/{scalable,NxN}/apps/nymstudio.{svg,png}
#   /usr/share/man/man1/nym.1.gz, nymstudio.1.gz   (help2man, from the programs' own --help)
#   /usr/share/doc/nymstudio/{README.md,CHANGELOG.md,copyright}
#
# Man pages and PNG icons need help2man and rsvg-convert at build time (packaging/install-deps.sh installs them);
# without them the build says so and installs the rest.

include(GNUInstallDirs)

set(NYM_APP_ID "io.github.nymstudio.nymstudio")
set(NYM_HOMEPAGE "https://github.com/nymstudio/nymstudio" CACHE STRING "Project home page (AppStream, package)")
set(NYM_SCREENSHOT_URL "${NYM_HOMEPAGE}/raw/main/resources/screenshots" CACHE STRING "Where the AppStream screenshots are")
# The release date of PROJECT_VERSION (AppStream release entry, Debian changelog) and who maintains the package.
set(NYM_RELEASE_DATE "2026-12-01")
set(NYM_MAINTAINER "The Nym Studio developers <nymstudio@users.noreply.github.com>")

set(_pkg "${CMAKE_SOURCE_DIR}/packaging/linux")
set(_gen "${CMAKE_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${_gen}")

install(TARGETS nym RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS nym_engine LIBRARY DESTINATION ${NYM_ENGINE_DIR})
install(TARGETS nym-isolate RUNTIME DESTINATION ${NYM_ENGINE_DIR})
if(NYM_BUILD_GUI)
  install(TARGETS nymstudio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

configure_file("${_pkg}/${NYM_APP_ID}.metainfo.xml.in" "${_gen}/${NYM_APP_ID}.metainfo.xml" @ONLY)
install(FILES "${_pkg}/${NYM_APP_ID}.desktop" DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES "${_gen}/${NYM_APP_ID}.metainfo.xml" DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES "${_pkg}/nymstudio-mime.xml" DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME nymstudio.xml)
install(FILES "${_pkg}/nymstudio.svg" DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES README.md CHANGELOG.md "${_pkg}/copyright" DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/nymstudio)
# Debian's changelog.gz (a native package's changelog in Debian's format, pointing at CHANGELOG.md), compressed
# reproducibly; version and date from this project.
execute_process(COMMAND date -u -R -d "${NYM_RELEASE_DATE}" OUTPUT_VARIABLE _rfc_date OUTPUT_STRIP_TRAILING_WHITESPACE)
file(WRITE "${_gen}/changelog" "nymstudio (${PROJECT_VERSION}) unstable; urgency=medium

  * Release ${PROJECT_VERSION}; the changes are in /usr/share/doc/nymstudio/CHANGELOG.md.

 -- ${NYM_MAINTAINER}  ${_rfc_date}
")
add_custom_command(OUTPUT "${_gen}/changelog.gz"
  COMMAND sh -c "gzip -9 -n -c '${_gen}/changelog' > '${_gen}/changelog.gz'"
  DEPENDS "${_gen}/changelog" VERBATIM)
install(FILES "${_gen}/changelog.gz" DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/nymstudio)

# PNG icons rendered from the SVG.
find_program(RSVG_CONVERT rsvg-convert)
set(_extra_outputs "${_gen}/changelog.gz")
if(RSVG_CONVERT)
  foreach(size 16 24 32 48 64 128 256)
    set(_png "${_gen}/icons/${size}x${size}/nymstudio.png")
    add_custom_command(OUTPUT "${_png}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${_gen}/icons/${size}x${size}"
      COMMAND ${RSVG_CONVERT} -w ${size} -h ${size} -o "${_png}" "${_pkg}/nymstudio.svg"
      DEPENDS "${_pkg}/nymstudio.svg" VERBATIM)
    list(APPEND _extra_outputs "${_png}")
    install(FILES "${_png}" DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
else()
  message(STATUS "rsvg-convert not found: only the scalable icon is installed")
endif()

# Man pages from the programs' --help (help2man), so the page and the program cannot drift apart.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(_man_nym "${_gen}/nym.1")
  add_custom_command(OUTPUT "${_man_nym}" "${_man_nym}.gz"
    COMMAND ${CMAKE_COMMAND} -DNYM=$<TARGET_FILE:nym> -DHELP2MAN=${HELP2MAN} -DOUT=${_man_nym}
            -DVERSION=${PROJECT_VERSION} -P "${CMAKE_SOURCE_DIR}/packaging/manpage.cmake"
    DEPENDS nym nym_engine "${CMAKE_SOURCE_DIR}/packaging/manpage.cmake" VERBATIM)
  list(APPEND _extra_outputs "${_man_nym}")
  install(FILES "${_man_nym}.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  if(NYM_BUILD_GUI)
    set(_man_studio "${_gen}/nymstudio.1")
    add_custom_command(OUTPUT "${_man_studio}" "${_man_studio}.gz"
      COMMAND ${CMAKE_COMMAND} -DNYMSTUDIO=$<TARGET_FILE:nymstudio> -DHELP2MAN=${HELP2MAN} -DOUT=${_man_studio}
              -DVERSION=${PROJECT_VERSION} -P "${CMAKE_SOURCE_DIR}/packaging/manpage.cmake"
      DEPENDS nymstudio "${CMAKE_SOURCE_DIR}/packaging/manpage.cmake" VERBATIM)
    list(APPEND _extra_outputs "${_man_studio}")
    install(FILES "${_man_studio}.gz" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endif()
else()
  message(STATUS "help2man not found: no man pages")
endif()
if(_extra_outputs)
  add_custom_target(nym_package_files ALL DEPENDS ${_extra_outputs})
endif()

# The Debian package: `bash packaging/build-deb.sh` (or `cpack -G DEB` in the build folder).
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "nymstudio")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "The Nym Studio developers")
set(CPACK_PACKAGE_CONTACT "${NYM_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "label single-cell RNA-seq data with scNym and review the uncertain cells")
set(CPACK_PACKAGE_DESCRIPTION "Nym Studio labels the cells of a single-cell RNA-seq dataset with the
scNym method (a neural network trained on a labelled reference and the
unlabelled target at once, with a linear model as a second opinion),
shows them in a UMAP browser, queues the uncertain ones for review with
the genes behind each call, and exports labelled tables and annotated
h5ad files. Includes the nym command-line tool for cluster nodes.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")   # nymstudio_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${NYM_HOMEPAGE}")
# Runtime dependencies from the binaries' linked libraries (dpkg-shlibdeps), not a hand list. OpenBLAS with OpenMP
# is loaded by LibTorch through libblas.so.3, which shlibdeps cannot see: named here (TOOLCHAIN.md, pitfall 1).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "shared-mime-info, desktop-file-utils")
set(CPACK_STRIP_FILES ON)
include(CPack)
