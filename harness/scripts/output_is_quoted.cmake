# cmake -DPROGRAM=exe -DDOC=README.md -P output_is_quoted.cmake
# Fails unless DOC contains PROGRAM's standard output verbatim.
execute_process(COMMAND ${PROGRAM} OUTPUT_VARIABLE output RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}")
endif()
file(READ ${DOC} doc)
string(FIND "${doc}" "${output}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${DOC} does not quote what ${PROGRAM} prints. Put this in it, verbatim:\n${output}")
endif()
message(STATUS "${DOC} quotes the output of ${PROGRAM}")
