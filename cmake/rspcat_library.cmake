# rspcat_library(<layer> <sources>...): the library target rspcat_<layer>, exported as
# rspcat::<layer>, built as librspcat-<layer> (static or shared by BUILD_SHARED_LIBS), C++20,
# with its public headers in <folder>/include. A shared library exports only what its headers
# mark RSPCAT_API (rspcat/export.hpp), narrowed to rspcat:: by lib/rspcat.map, and carries the
# SONAME librspcat-<layer>.so.<major>.
function(rspcat_library layer)
  set(target rspcat_${layer})
  add_library(${target} ${ARGN})
  add_library(rspcat::${layer} ALIAS ${target})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME rspcat-${layer}
    EXPORT_NAME ${layer}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(BUILD_SHARED_LIBS)
    # lib/rspcat.map keeps what RSPCAT_API does not cover inside: std:: instantiations.
    target_link_options(${target} PRIVATE "-Wl,--version-script=${PROJECT_SOURCE_DIR}/lib/rspcat.map")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${PROJECT_SOURCE_DIR}/lib/rspcat.map")
  endif()
endfunction()

# rspcat_internal_library(<name> <sources>...): a static, position-independent helper library
# linked into the layers that need it; its headers are for this build tree only.
function(rspcat_internal_library name)
  add_library(${name} STATIC ${ARGN})
  string(REPLACE "_" "-" output_name ${name})
  target_compile_features(${name} PUBLIC cxx_std_20)
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>)
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${output_name} POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
endfunction()
