# What `cmake --install` puts where (GNUInstallDirs): headers in include/rspcat, the libraries
# and the extension rsp.so in the library directory (so that `.load rsp` finds it by bare name),
# the CMake package in lib/cmake/rspcat, rspcat.pc in lib/pkgconfig, the tool in bin, its man page
# and bash completion in share.
include(CMakePackageConfigHelpers)

set(rspcat_libraries rspcat_core rspcat_catalog)
if(RSPCAT_REGISTRY)
  list(APPEND rspcat_libraries rspcat_registry)
endif()
# Static libraries carry their private helpers as link dependencies, so those are installed too.
if(NOT BUILD_SHARED_LIBS)
  list(APPEND rspcat_libraries rspcat_support rspcat_sql)
endif()
install(TARGETS ${rspcat_libraries} EXPORT rspcatTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(rspcat_header_dirs lib/core/include/ lib/sql/include/ lib/catalog/include/)
if(RSPCAT_REGISTRY)
  list(APPEND rspcat_header_dirs lib/registry/include/)
endif()
foreach(dir IN LISTS rspcat_header_dirs)
  install(DIRECTORY ${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES "${PROJECT_BINARY_DIR}/lib/core/include/rspcat/version.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rspcat COMPONENT Development)

set(rspcat_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rspcat)
# For rspcatConfig.cmake, which finds what static libraries link (BUILD_SHARED_LIBS may be unset).
if(BUILD_SHARED_LIBS)
  set(RSPCAT_SHARED_LIBS ON)
else()
  set(RSPCAT_SHARED_LIBS OFF)
endif()
install(EXPORT rspcatTargets NAMESPACE rspcat:: DESTINATION ${rspcat_cmake_dir} COMPONENT Development)
configure_package_config_file(cmake/rspcatConfig.cmake.in "${PROJECT_BINARY_DIR}/rspcatConfig.cmake"
  INSTALL_DESTINATION ${rspcat_cmake_dir})
# Before 1.0 a minor version may change the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/rspcatConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/rspcatConfig.cmake" "${PROJECT_BINARY_DIR}/rspcatConfigVersion.cmake"
        DESTINATION ${rspcat_cmake_dir} COMPONENT Development)

# pkg-config: rspcat.pc is everything (core, catalog, registry). A static build installs no
# shared library that could hide what the archives link, so it names all of it in Libs and
# Requires, and `pkg-config --libs rspcat` links without --static (as Meson's rspcat.pc does).
# libcurl is -lcurl, not a required package: `pkg-config --static` would add what a static
# libcurl links (nghttp2, ssh2, ldap, …), whose -dev packages libcurl4-openssl-dev does not
# pull in, and the link would fail.
set(RSPCAT_PC_LIBS "-lrspcat-catalog -lrspcat-core")
if(RSPCAT_REGISTRY)
  set(RSPCAT_PC_LIBS "-lrspcat-registry ${RSPCAT_PC_LIBS}")
endif()
set(RSPCAT_PC_REQUIRES "")
if(NOT BUILD_SHARED_LIBS)
  string(APPEND RSPCAT_PC_LIBS " -lrspcat-sql -lrspcat-core -lrspcat-support -lSQLiteCpp")
  if(RSPCAT_REGISTRY)
    string(APPEND RSPCAT_PC_LIBS " -lcurl -lcrypto")
  endif()
  string(APPEND RSPCAT_PC_LIBS " -lpthread")
  set(RSPCAT_PC_REQUIRES "sqlite3 yaml-cpp")
endif()
# The prefix is written relative to the file's own folder (${pcfiledir}), so that the file is
# right wherever the tree is installed: `cmake --install --prefix`, DESTDIR, a moved tree.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(RSPCAT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(RSPCAT_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH rspcat_pc_up "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
  string(REGEX REPLACE "/$" "" rspcat_pc_up "${rspcat_pc_up}")
  set(RSPCAT_PC_PREFIX "\${pcfiledir}/${rspcat_pc_up}")
  set(RSPCAT_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(RSPCAT_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(RSPCAT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/rspcat.pc.in "${PROJECT_BINARY_DIR}/rspcat.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rspcat.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT Development)

if(RSPCAT_EXTENSION)
  install(TARGETS rsp LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
if(RSPCAT_CLI)
  install(TARGETS rspcat_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES docs/rspcat.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES cli/completion.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
          RENAME rspcat)
endif()
