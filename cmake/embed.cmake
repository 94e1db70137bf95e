# embed_text(TARGET NAME FILE NAMESPACE SYMBOL): generates a .cpp defining
#   std::string_view NAMESPACE::SYMBOL = "<contents of FILE>";
# and adds it to TARGET, so schema.sql ships inside the binary (no runtime paths).
function(embed_text target file namespace symbol)
  get_filename_component(name ${file} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${name}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNS=${namespace} -DSYM=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${out})
endfunction()
