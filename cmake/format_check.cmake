# cmake -DCLANG_FORMAT=... -DSOURCE_DIR=... -P format_check.cmake
# Fails (listing the files) when a C++ source of ours differs from .clang-format's output.
set(dirs common mock_twilio mock_truevault mockenv replay tests bench fuzz)
set(files)
foreach(d ${dirs})
  file(GLOB_RECURSE found ${SOURCE_DIR}/${d}/*.cpp ${SOURCE_DIR}/${d}/*.hpp)
  list(FILTER found EXCLUDE REGEX "/node_modules/")
  list(APPEND files ${found})
endforeach()
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${files}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: these files need `clang-format -i`:\n${err}")
endif()
list(LENGTH files n)
message(STATUS "clang-format: ${n} files formatted")
