# The installable library and everything `cmake --install` puts in place.
#
# Targets (both built from the objects of depeche_core, compiled once):
#   depeche_shared  libdepeche.so.MAJOR.MINOR.PATCH: exports only the public API
#                   (symbols marked DEPECHE_API in include/depeche/depeche.hpp; the
#                   objects are compiled with -fvisibility=hidden); Xapian, ICU, Snowball
#                   and gumbo are private dependencies.
#   depeche_static  libdepeche.a: the same objects; its users also link the dependencies.
# depeche_core, the internal static library the programs and the tests link, is left as
# it was: its hidden symbols stay usable inside one executable.
#
# Installed: include/depeche/*.hpp, both libraries, depeche-index and depeche-search,
# the people lexicon in ${CMAKE_INSTALL_DATADIR}/depeche/lexicon, the CMake package
# (find_package(depeche) -> depeche::depeche, see cmake/depecheConfig.cmake.in) and
# depeche.pc for pkg-config.

include(CMakePackageConfigHelpers)

set(DEPECHE_PRIVATE_DEPS
  PkgConfig::XAPIAN PkgConfig::GUMBO PkgConfig::ZSTD PkgConfig::LZMA PkgConfig::LIBXML2 PkgConfig::TOMLPLUSPLUS ZLIB::ZLIB ICU::uc ICU::i18n Threads::Threads "${STEMMER_LIBRARY}")

# Shared object version: the ABI may change with any minor release while the major
# version is 0 (semantic versioning), then only with the major version.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(DEPECHE_SOVERSION "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")
  set(DEPECHE_COMPATIBILITY SameMinorVersion)
else()
  set(DEPECHE_SOVERSION "${PROJECT_VERSION_MAJOR}")
  set(DEPECHE_COMPATIBILITY SameMajorVersion)
endif()

add_library(depeche_shared SHARED $<TARGET_OBJECTS:depeche_core>)
add_library(depeche_static STATIC $<TARGET_OBJECTS:depeche_core>)
foreach(lib depeche_shared depeche_static)
  target_include_directories(${lib} PUBLIC
    "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>"
    "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  target_compile_features(${lib} PUBLIC cxx_std_17)  # what the public header needs
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME depeche EXPORT_NAME ${lib})
endforeach()
target_link_libraries(depeche_shared PRIVATE ${DEPECHE_PRIVATE_DEPS})
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_link_options(depeche_shared PRIVATE "LINKER:--no-undefined")
endif()
set_target_properties(depeche_shared PROPERTIES
  VERSION "${PROJECT_VERSION}" SOVERSION "${DEPECHE_SOVERSION}")
# Users of the static library link its dependencies; installed, they come from
# depeche::dependencies, which depecheConfig.cmake defines after finding them.
foreach(dep IN LISTS DEPECHE_PRIVATE_DEPS)
  target_link_libraries(depeche_static INTERFACE "$<BUILD_INTERFACE:${dep}>")
endforeach()
target_link_libraries(depeche_static INTERFACE "$<INSTALL_INTERFACE:depeche::dependencies>")

# In-tree users (examples/) see the same name as installed ones.
add_library(depeche::depeche ALIAS depeche_shared)
add_library(depeche::depeche_shared ALIAS depeche_shared)
add_library(depeche::depeche_static ALIAS depeche_static)

install(TARGETS depeche_shared depeche_static EXPORT depecheTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(TARGETS depeche-index depeche-search RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/depeche/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/depeche" FILES_MATCHING PATTERN "*.hpp")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/indexer/lexicon/"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/depeche/lexicon")

set(DEPECHE_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/depeche")
install(EXPORT depecheTargets NAMESPACE depeche:: DESTINATION "${DEPECHE_CMAKE_DIR}")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/depecheConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/depecheConfig.cmake"
  INSTALL_DESTINATION "${DEPECHE_CMAKE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_DATADIR)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/depecheConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY ${DEPECHE_COMPATIBILITY})
install(FILES "${PROJECT_BINARY_DIR}/depecheConfig.cmake" "${PROJECT_BINARY_DIR}/depecheConfigVersion.cmake"
  DESTINATION "${DEPECHE_CMAKE_DIR}")

# depeche.pc locates the prefix from its own folder (${pcfiledir}), so the files stay
# usable after `cmake --install --prefix SOMEWHERE` or when the tree is moved.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(DEPECHE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _rel "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _rel "${_rel}")
  set(DEPECHE_PC_PREFIX "\${pcfiledir}/${_rel}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/depeche.pc.in" "${PROJECT_BINARY_DIR}/depeche.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/depeche.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
