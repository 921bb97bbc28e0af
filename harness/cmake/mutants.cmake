# Mutants: known-wrong implementations, each a small patch to a lesson's reference solution.
#
# harness/lessons/NN_topic/mutants.txt lists them (its format is described at the top of
# harness/lessons/01_batch_statistics/mutants.txt). At configure time only the manifest is
# read: each mutant's name, the test that catches it and its diagnosis become a target and
# a ctest (CMake configures again when the manifest changes). At build time a custom
# command applies the mutant's edits to solutions/NN_topic/topic.cpp and writes
# BUILD_DIR/mutants/NN_topic/<name>.cpp, which is built as lessonNN_mutant_<name>.so; an edit
# to a solution rebuilds its mutants and configures nothing. An edit whose find text does
# not occur exactly once fails that mutant's build, naming the mutant and the text.
#
# Run as a script, this file applies mutants:
#   cmake -DBNKIT_MUTANT_MANIFEST=M -DBNKIT_MUTANT_SOLUTION=S -DBNKIT_MUTANT_OUT_DIR=D
#         -DBNKIT_MUTANT_NAME=N -P mutants.cmake      writes D/N.cpp (the build's command)
#   cmake -DBNKIT_MUTANT_PROBE=DIR -DBNKIT_MUTANT_PROBE_FIND=TEXT -P mutants.cmake
#         applies one edit with that find text to a two-line solution in DIR: the ctests at
#         the end use it to prove that a stale edit is refused.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.25)  # the project's policies, for the probe
endif()

# Text up to the first "\n<delimiter>" of `text` in OUT_BEFORE, the rest after it in
# OUT_AFTER ("" and FOUND false when there is none).
function(bnkit_mutant_split text delimiter out_before out_after out_found)
  string(FIND "${text}" "\n${delimiter}" at)
  if(at EQUAL -1)
    set(${out_before} "${text}" PARENT_SCOPE)
    set(${out_after} "" PARENT_SCOPE)
    set(${out_found} FALSE PARENT_SCOPE)
    return()
  endif()
  string(LENGTH "\n${delimiter}" skip)
  math(EXPR after "${at} + ${skip}")
  string(SUBSTRING "${text}" 0 ${at} before)
  string(SUBSTRING "${text}" ${after} -1 rest)
  set(${out_before} "${before}" PARENT_SCOPE)
  set(${out_after} "${rest}" PARENT_SCOPE)
  set(${out_found} TRUE PARENT_SCOPE)
endfunction()

# One mutant: `block` is its part of the manifest, from the line after "=== ". Sets
# OUT_NAME, OUT_CAUGHT_BY, OUT_DIAGNOSIS; when APPLY is the mutant's name, also applies its
# edits to SOLUTION and writes the mutant's source to OUT_DIR/<name>.cpp.
function(bnkit_mutant_write manifest solution out_dir block apply out_name out_caught_by out_diagnosis)
  string(FIND "${block}\n" "\n" eol)
  string(SUBSTRING "${block}" 0 ${eol} name)
  string(STRIP "${name}" name)
  if(NOT name MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "${manifest}: mutant name '${name}' (after '=== ') must be [a-z0-9_]+")
  endif()
  bnkit_mutant_split("${block}" "--- find\n" header edits has_edit)
  if(NOT has_edit)
    message(FATAL_ERROR "${manifest}: mutant ${name} has no '--- find' edit")
  endif()
  foreach(key caught-by diagnosis about)
    string(REGEX MATCH "\n${key}: ([^\n]*)" line "${header}")
    string(STRIP "${CMAKE_MATCH_1}" value)
    if(value STREQUAL "")
      message(FATAL_ERROR "${manifest}: mutant ${name} needs a line '${key}: ...'")
    endif()
    string(MAKE_C_IDENTIFIER "${key}" var)
    set(${var} "${value}")
  endforeach()
  if(NOT caught_by MATCHES "^[A-Za-z0-9_]+\\.[A-Za-z0-9_]+$")
    message(FATAL_ERROR "${manifest}: mutant ${name}: 'caught-by: ${caught_by}' is not Suite.Test")
  endif()
  if(NOT diagnosis MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "${manifest}: mutant ${name}: 'diagnosis: ${diagnosis}' is not a mistake id or none")
  endif()

  set(${out_name} ${name} PARENT_SCOPE)
  set(${out_caught_by} ${caught_by} PARENT_SCOPE)
  set(${out_diagnosis} ${diagnosis} PARENT_SCOPE)
  if(NOT apply STREQUAL name)
    return()
  endif()

  # The edits, in order, each on the text the ones before it left.
  file(READ ${solution} source)
  set(more TRUE)
  set(count 0)
  while(more)
    bnkit_mutant_split("${edits}" "--- find\n" edit edits more)
    bnkit_mutant_split("${edit}\n" "+++ replace\n" find replace has_replace)
    math(EXPR count "${count} + 1")
    if(NOT has_replace)
      message(FATAL_ERROR "${manifest}: mutant ${name}, edit ${count}: '--- find' without '+++ replace'")
    endif()
    # Blank lines before the next edit or mutant belong to neither.
    string(REGEX REPLACE "\n+$" "" find "${find}")
    string(REGEX REPLACE "\n+$" "" replace "${replace}")
    string(FIND "${source}" "${find}" first)
    string(FIND "${source}" "${find}" last REVERSE)
    if(find STREQUAL "" OR first EQUAL -1 OR NOT first EQUAL last)
      if(find STREQUAL "")
        set(problem "is empty; it must be text of")
      elseif(first EQUAL -1)
        set(problem "does not occur in")
      else()
        set(problem "must occur exactly once, but occurs more than once, in")
      endif()
      message(FATAL_ERROR "${manifest}: mutant ${name}, edit ${count}: this find text ${problem} "
                          "${solution} (as the edits before it left it):\n${find}\n"
                          "Update the mutant to the solution as it is now.")
    endif()
    string(REPLACE "${find}" "${replace}" source "${source}")
  endwhile()

  set(from ${manifest})
  set(of ${solution})
  if(PROJECT_SOURCE_DIR)
    file(RELATIVE_PATH from ${PROJECT_SOURCE_DIR} ${manifest})
    file(RELATIVE_PATH of ${PROJECT_SOURCE_DIR} ${solution})
  endif()
  set(source "// GENERATED from ${from} (mutant ${name} of ${of}): edit the manifest, not this file.\n// ${about}\n${source}")
  set(out ${out_dir}/${name}.cpp)
  set(before "")
  if(EXISTS ${out})
    file(READ ${out} before)
  endif()
  if(NOT "${before}" STREQUAL "${source}")
    file(WRITE ${out} "${source}")
  else()
    file(TOUCH ${out})  # up to date for the build, which ran this because an input changed
  endif()
endfunction()

# Every mutant of MANIFEST: OUT_LIST gets one "name caught_by diagnosis" entry (a list of
# three) per mutant, flattened. The mutant named APPLY (none when "") is applied to
# SOLUTION and written to OUT_DIR.
function(bnkit_mutant_manifest manifest solution out_dir apply out_list)
  file(READ ${manifest} text)
  # Everything before the first "=== " line is the manifest's own description.
  bnkit_mutant_split("\n${text}" "=== " preamble rest more)
  if(NOT more)
    message(FATAL_ERROR "${manifest} lists no mutant ('=== name' lines)")
  endif()
  set(names "")
  set(entries "")
  while(more)
    bnkit_mutant_split("${rest}" "=== " block rest more)
    bnkit_mutant_write(${manifest} ${solution} ${out_dir} "${block}" "${apply}" name caught_by diagnosis)
    if(name IN_LIST names)
      message(FATAL_ERROR "${manifest}: two mutants are named ${name}")
    endif()
    list(APPEND names ${name})
    list(APPEND entries ${name} ${caught_by} ${diagnosis})
  endwhile()
  if(NOT apply STREQUAL "" AND NOT apply IN_LIST names)
    message(FATAL_ERROR "${manifest} has no mutant named ${apply}")
  endif()
  if(apply STREQUAL "")
    # At configure time: a mutant taken out of the manifest leaves no source behind.
    file(GLOB generated ${out_dir}/*.cpp)
    foreach(file IN LISTS generated)
      get_filename_component(name ${file} NAME_WE)
      if(NOT name IN_LIST names)
        file(REMOVE ${file})
      endif()
    endforeach()
  endif()
  set(${out_list} ${entries} PARENT_SCOPE)
endfunction()

# Every mutant of LESSON: a worker library each, and a ctest that proves it is caught by the
# test it names, with the diagnosis it names (or none), and named as no other mistake.
function(bnkit_add_mutants lesson solution tests_bin)
  string(SUBSTRING ${lesson} 0 2 num)
  file(GLOB manifest CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/harness/lessons/${lesson}/mutants.txt)
  if(NOT manifest OR NOT EXISTS ${solution})
    return()
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${manifest})
  set(out_dir ${CMAKE_BINARY_DIR}/mutants/${lesson})
  file(MAKE_DIRECTORY ${out_dir})
  bnkit_mutant_manifest(${manifest} ${solution} ${out_dir} "" entries)
  set(named_mutant "")
  while(entries)
    list(POP_FRONT entries name caught_by diagnosis)
    set(so ${BNKIT_LESSON_OUTPUT}/lesson${num}_mutant_${name}.so)
    # Patched at build time, from the manifest and the solution as they are then.
    add_custom_command(OUTPUT ${out_dir}/${name}.cpp
      COMMAND ${CMAKE_COMMAND} -DPROJECT_SOURCE_DIR=${PROJECT_SOURCE_DIR} -DBNKIT_MUTANT_MANIFEST=${manifest}
              -DBNKIT_MUTANT_SOLUTION=${solution} -DBNKIT_MUTANT_OUT_DIR=${out_dir} -DBNKIT_MUTANT_NAME=${name}
              -P ${BNKIT_MUTANTS_SCRIPT}
      DEPENDS ${manifest} ${solution} ${BNKIT_MUTANTS_SCRIPT}
      COMMENT "Patching mutant ${name} of ${lesson}" VERBATIM)
    bnkit_lesson_worker(lesson${num}_mutant_${name} ${lesson} ${out_dir}/${name}.cpp FALSE)
    add_test(NAME mutant/${lesson}/${name}
             COMMAND bnkit-selftest mutant ${tests_bin} ${so} ${caught_by} ${diagnosis})
    set_tests_properties(mutant/${lesson}/${name} PROPERTIES LABELS mutant)
    if(NOT named_mutant AND NOT diagnosis STREQUAL "none")
      set(named_mutant ${name})
      set(named_so ${so})
      set(named_caught_by ${caught_by})
      set(named_diagnosis ${diagnosis})
    endif()
  endwhile()

  # The check can fail: it refuses a named mutant claimed to be silent, and the reference
  # claimed to be that mutant (the reference passes the test).
  if(named_mutant)
    add_test(NAME mutant/${lesson}/check-refuses-a-wrong-claim
             COMMAND bnkit-selftest mutant ${tests_bin} ${named_so} ${named_caught_by} none)
    set_tests_properties(mutant/${lesson}/check-refuses-a-wrong-claim PROPERTIES LABELS mutant
      PASS_REGULAR_EXPRESSION "FAIL: ${named_caught_by} catches the mutant but gives \\[${named_diagnosis}\\] instead of no diagnosis")
    add_test(NAME mutant/${lesson}/check-refuses-the-reference
             COMMAND bnkit-selftest mutant ${tests_bin} ${BNKIT_LESSON_OUTPUT}/lesson${num}_reference.so
                     ${named_caught_by} ${named_diagnosis})
    set_tests_properties(mutant/${lesson}/check-refuses-the-reference PROPERTIES LABELS mutant
      PASS_REGULAR_EXPRESSION "FAIL: the mutant passes ${named_caught_by}: that test does not catch it")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND BNKIT_MUTANT_NAME)
  # The build's command: one mutant of one manifest.
  bnkit_mutant_manifest(${BNKIT_MUTANT_MANIFEST} ${BNKIT_MUTANT_SOLUTION} ${BNKIT_MUTANT_OUT_DIR}
                        ${BNKIT_MUTANT_NAME} entries)
elseif(CMAKE_SCRIPT_MODE_FILE)
  # The probe: one mutant, one edit, on the solution "int a = 1;\nint b = 1;\n".
  if(NOT BNKIT_MUTANT_PROBE)
    message(FATAL_ERROR "usage: cmake -DBNKIT_MUTANT_PROBE=DIR -DBNKIT_MUTANT_PROBE_FIND=TEXT -P mutants.cmake")
  endif()
  file(WRITE ${BNKIT_MUTANT_PROBE}/solution.cpp "int a = 1;\nint b = 1;\n")
  file(WRITE ${BNKIT_MUTANT_PROBE}/mutants.txt
       "# probe\n=== probe\ncaught-by: Probe.Test\ndiagnosis: none\nabout: a probe\n"
       "--- find\n${BNKIT_MUTANT_PROBE_FIND}\n+++ replace\nint c = 2\n")
  bnkit_mutant_manifest(${BNKIT_MUTANT_PROBE}/mutants.txt ${BNKIT_MUTANT_PROBE}/solution.cpp
                        ${BNKIT_MUTANT_PROBE} probe entries)
  file(READ ${BNKIT_MUTANT_PROBE}/probe.cpp patched)
  message("probe applied: ${entries}\n${patched}")
else()
  set(BNKIT_MUTANTS_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
  # A stale edit is refused, naming the mutant, the edit and the text; a good one
  # applies (so the two refusals are not the probe failing on everything).
  set(probe_dir ${CMAKE_BINARY_DIR}/mutant-probe)
  set(script ${CMAKE_CURRENT_LIST_FILE})
  add_test(NAME mutant/manifest/refuses-a-find-text-not-in-the-solution
           COMMAND ${CMAKE_COMMAND} -DBNKIT_MUTANT_PROBE=${probe_dir}/missing
                   "-DBNKIT_MUTANT_PROBE_FIND=int z = 9" -P ${script})
  add_test(NAME mutant/manifest/refuses-a-find-text-found-twice
           COMMAND ${CMAKE_COMMAND} -DBNKIT_MUTANT_PROBE=${probe_dir}/twice
                   "-DBNKIT_MUTANT_PROBE_FIND= = 1" -P ${script})
  add_test(NAME mutant/manifest/applies-a-find-text-found-once
           COMMAND ${CMAKE_COMMAND} -DBNKIT_MUTANT_PROBE=${probe_dir}/once
                   "-DBNKIT_MUTANT_PROBE_FIND=int b = 1" -P ${script})
  # (CMake wraps an error message at spaces.)
  string(REPLACE " " "[ \n]+" missing_re "mutant probe, edit 1: this find text does not occur in")
  string(REPLACE " " "[ \n]+" twice_re "mutant probe, edit 1: this find text must occur exactly once")
  set_tests_properties(mutant/manifest/refuses-a-find-text-not-in-the-solution PROPERTIES LABELS mutant
    PASS_REGULAR_EXPRESSION "${missing_re}.*\n  int z = 9\n")
  set_tests_properties(mutant/manifest/refuses-a-find-text-found-twice PROPERTIES LABELS mutant
    PASS_REGULAR_EXPRESSION "${twice_re}.*\n   = 1\n")
  set_tests_properties(mutant/manifest/applies-a-find-text-found-once PROPERTIES LABELS mutant
    PASS_REGULAR_EXPRESSION "probe applied: probe;Probe.Test;none.*int a = 1;\nint c = 2;")
endif()
