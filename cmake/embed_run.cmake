file(READ ${IN} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
file(WRITE ${OUT} "#include <string_view>\nnamespace ${NS} {\nnamespace {\nconstexpr char kData[] = {${bytes} '\\0'};\n}\nextern const std::string_view ${SYM};\nconst std::string_view ${SYM}{kData, sizeof(kData) - 1};\n}  // namespace ${NS}\n")
