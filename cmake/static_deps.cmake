# Link SQLite and RE2 from their static archives when the Debian -dev packages ship them
# (libsqlite3-dev and libre2-dev do). Two fewer shared objects for the dynamic loader to map,
# relocate and search at every start: ~1.9M instructions, ~0.6 ms of `mockenv up`'s ~8.5 ms
# cold start (issue 6; bench/README "Cold start"). Kept off under sanitizers (their builds
# keep the shared libraries they were validated with) and when an archive is missing.
# Link configuration only: every target links these libraries as before.
option(MOCK_STATIC_SQLITE_RE2 "Link SQLite and RE2 statically when their static archives exist" ON)

if(MOCK_STATIC_SQLITE_RE2 AND NOT MOCK_SANITIZERS)
  find_library(MOCK_SQLITE3_ARCHIVE NAMES libsqlite3.a)
  find_library(MOCK_RE2_ARCHIVE NAMES libre2.a)
  if(MOCK_SQLITE3_ARCHIVE AND MOCK_RE2_ARCHIVE AND TARGET SQLite::SQLite3 AND TARGET PkgConfig::RE2)
    set_target_properties(SQLite::SQLite3 PROPERTIES IMPORTED_LOCATION "${MOCK_SQLITE3_ARCHIVE}")
    # What the archive needs from the system (the shared library brought these itself).
    set_property(TARGET SQLite::SQLite3 APPEND PROPERTY INTERFACE_LINK_LIBRARIES
                 m ${CMAKE_DL_LIBS} Threads::Threads)
    set_target_properties(PkgConfig::RE2 PROPERTIES INTERFACE_LINK_LIBRARIES
                          "${MOCK_RE2_ARCHIVE};Threads::Threads")
    message(STATUS "SQLite and RE2 linked statically (MOCK_STATIC_SQLITE_RE2)")
  endif()
endif()
