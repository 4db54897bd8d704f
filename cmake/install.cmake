# `cmake --install`: liboctet.a, the public headers, a CMake package
# (find_package(Octet) gives the imported target Octet::octet) and a
# pkg-config file. The headers keep the source tree's layout under
# include/octet/ (C++: #include <engine/session.h>); the C API's header is
# also include/octet.h (C: #include <octet.h>). They are the public API's
# entry points (engine/session.h, engine/octet.h, graph/, quant/) and what
# those include; scripts/install_test.sh compiles each one on its own from
# the installed tree, so a missing one fails CI.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OCTET_INSTALL_INCLUDE ${CMAKE_INSTALL_INCLUDEDIR}/octet)
target_include_directories(octet_lib INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
                                               $<INSTALL_INTERFACE:${OCTET_INSTALL_INCLUDE}>)
set_target_properties(octet_lib PROPERTIES EXPORT_NAME octet)
install(TARGETS octet_lib EXPORT OctetTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

file(GLOB OCTET_PUBLIC_GRAPH_HEADERS ${PROJECT_SOURCE_DIR}/graph/*.h)
file(GLOB OCTET_PUBLIC_QUANT_HEADERS ${PROJECT_SOURCE_DIR}/quant/*.h)
install(FILES ${OCTET_PUBLIC_GRAPH_HEADERS} DESTINATION ${OCTET_INSTALL_INCLUDE}/graph)
install(FILES ${OCTET_PUBLIC_QUANT_HEADERS} DESTINATION ${OCTET_INSTALL_INCLUDE}/quant)
install(FILES engine/session.h engine/octet.h DESTINATION ${OCTET_INSTALL_INCLUDE}/engine)
install(FILES kernels/isa.h DESTINATION ${OCTET_INSTALL_INCLUDE}/kernels)
install(FILES kernels/ref/quantize.h kernels/ref/requantize.h DESTINATION ${OCTET_INSTALL_INCLUDE}/kernels/ref)
install(FILES engine/octet.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(OCTET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Octet)
install(EXPORT OctetTargets NAMESPACE Octet:: DESTINATION ${OCTET_CMAKE_DIR})
configure_package_config_file(cmake/OctetConfig.cmake.in ${CMAKE_BINARY_DIR}/OctetConfig.cmake
                              INSTALL_DESTINATION ${OCTET_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/OctetConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/OctetConfig.cmake ${CMAKE_BINARY_DIR}/OctetConfigVersion.cmake
        DESTINATION ${OCTET_CMAKE_DIR})

configure_file(cmake/octet.pc.in ${CMAKE_BINARY_DIR}/octet.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/octet.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
