# Writes OUT, a C++ source holding the bytes of IN as a string_view.
file(READ ${IN} content HEX)
string(LENGTH "${content}" hexlen)
set(body "")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${content}")
file(WRITE ${OUT} "// Generated from controls.yaml; do not edit.\n"
  "#include <string_view>\n"
  "namespace rampart::posture {\n"
  "namespace { constexpr char kText[] = {${body} 0}; }\n"
  "std::string_view DefaultControlsText() { return {kText, sizeof(kText) - 1}; }\n"
  "}  // namespace rampart::posture\n")
