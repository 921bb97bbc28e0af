# One call per lesson folder lessons/NN_topic/ builds, from ONE compiled set of the
# lesson's tests (harness/tests/NN_topic/*.cpp):
#   lessonNN_student     tests + lessons/NN_topic/topic.cpp      (what `bnkit grade` runs)
#   lessonNN_reference   tests + solutions/NN_topic/topic.cpp    (tagged, see below)
#   lessonNN_mutant_X    tests + harness/mutants/NN_topic/X.cpp  (known-wrong code)
# The student binary never links a solution: the two differ only in the implementation
# file, and bnkit-selftest proves it on the built binaries.

set(BNKIT_REFERENCE_WRAPPER ${CMAKE_CURRENT_LIST_DIR}/reference_wrapper.cpp.in)

function(bnkit_add_lessons lessons_root)
  file(GLOB lesson_dirs LIST_DIRECTORIES true CONFIGURE_DEPENDS ${lessons_root}/[0-9][0-9]_*)
  foreach(dir IN LISTS lesson_dirs)
    if(IS_DIRECTORY ${dir})
      get_filename_component(lesson ${dir} NAME)
      bnkit_add_lesson(${lesson})
    endif()
  endforeach()
endfunction()

# A test binary of lesson NUM from one implementation file.
function(bnkit_lesson_binary target num impl)
  add_executable(${target} ${impl})
  target_link_libraries(${target} PRIVATE lesson${num}_tests lesson${num}_contract bnkit_grader
                        bnkit_warnings)
  # Stubs name parameters they do not use yet; that is not worth a warning.
  target_compile_options(${target} PRIVATE -Wno-unused-parameter)
  target_precompile_headers(${target} REUSE_FROM bnkit_pch)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lessons)
endfunction()

function(bnkit_add_lesson lesson)
  string(SUBSTRING ${lesson} 0 2 num)
  string(SUBSTRING ${lesson} 3 -1 topic)
  set(root ${PROJECT_SOURCE_DIR})
  set(stub ${root}/lessons/${lesson}/${topic}.cpp)
  set(solution ${root}/solutions/${lesson}/${topic}.cpp)
  foreach(required IN ITEMS ${stub} ${solution} ${root}/lessons/${lesson}/${topic}.hpp)
    if(NOT EXISTS ${required})
      message(FATAL_ERROR "lesson ${lesson} is missing ${required}")
    endif()
  endforeach()

  add_library(lesson${num}_contract INTERFACE)
  target_include_directories(lesson${num}_contract INTERFACE ${root}/lessons/${lesson})
  target_link_libraries(lesson${num}_contract INTERFACE bnkit_lesson_api)

  file(GLOB tests CONFIGURE_DEPENDS ${root}/harness/tests/${lesson}/*.cpp)
  add_library(lesson${num}_tests OBJECT ${tests})
  target_link_libraries(lesson${num}_tests PUBLIC lesson${num}_contract bnkit_grader
                        PRIVATE bnkit_warnings bnkit_werror)
  target_precompile_headers(lesson${num}_tests REUSE_FROM bnkit_pch)

  # Student and reference binaries.
  bnkit_lesson_binary(lesson${num}_student ${num} ${stub})
  set(LESSON ${lesson})
  set(SOLUTION ${solution})
  set(wrapper ${CMAKE_BINARY_DIR}/reference/${lesson}.cpp)
  configure_file(${BNKIT_REFERENCE_WRAPPER} ${wrapper} @ONLY)
  bnkit_lesson_binary(lesson${num}_reference ${num} ${wrapper})

  # Every reference passes every test: each test is a ctest of its own.
  gtest_discover_tests(lesson${num}_reference TEST_PREFIX "reference/${lesson}/"
                       DISCOVERY_MODE PRE_TEST PROPERTIES LABELS reference)
  # Every pristine stub compiles and fails every test, as "not started".
  add_test(NAME stub/${lesson}/fails-every-test
           COMMAND bnkit-selftest stub ${lesson} $<TARGET_FILE:lesson${num}_student>)
  set_tests_properties(stub/${lesson}/fails-every-test PROPERTIES LABELS stub)

  # Every mutant is caught by the test it names, with the diagnosis it names.
  set(mutant_binaries)
  file(GLOB mutants CONFIGURE_DEPENDS ${root}/harness/mutants/${lesson}/*.cpp)
  foreach(mutant IN LISTS mutants)
    get_filename_component(name ${mutant} NAME_WE)
    file(STRINGS ${mutant} caught_by REGEX "^// caught-by: ")
    file(STRINGS ${mutant} diagnosis REGEX "^// diagnosis: ")
    string(REPLACE "// caught-by: " "" caught_by "${caught_by}")
    string(REPLACE "// diagnosis: " "" diagnosis "${diagnosis}")
    if(NOT caught_by OR NOT diagnosis)
      message(FATAL_ERROR "${mutant} needs '// caught-by: Suite.Test' and '// diagnosis: id' lines")
    endif()
    bnkit_lesson_binary(lesson${num}_mutant_${name} ${num} ${mutant})
    list(APPEND mutant_binaries $<TARGET_FILE:lesson${num}_mutant_${name}>)
    add_test(NAME mutant/${lesson}/${name}
             COMMAND bnkit-selftest mutant $<TARGET_FILE:lesson${num}_mutant_${name}>
                     ${caught_by} ${diagnosis})
    set_tests_properties(mutant/${lesson}/${name} PROPERTIES LABELS mutant)
  endforeach()

  # The binaries a student's code runs in hold no reference code; the reference does.
  add_test(NAME isolation/${lesson}/no-reference-in-student-binaries
           COMMAND bnkit-selftest isolation $<TARGET_FILE:lesson${num}_reference>
                   $<TARGET_FILE:lesson${num}_student> ${mutant_binaries})
  set_tests_properties(isolation/${lesson}/no-reference-in-student-binaries PROPERTIES LABELS isolation)

  # Randomized cases whose expectations come from the reference solution, committed so
  # that grading (and a handout without solutions) never needs the solution.
  set(cases_src ${root}/harness/golden/reference_cases/${lesson}.cpp)
  if(EXISTS ${cases_src})
    add_executable(lesson${num}_reference_cases ${root}/harness/golden/reference_cases/main.cpp
                   ${cases_src} ${wrapper})
    target_include_directories(lesson${num}_reference_cases PRIVATE ${root}/harness/golden/reference_cases)
    target_link_libraries(lesson${num}_reference_cases PRIVATE lesson${num}_contract bnkit_golden
                          bnkit_warnings)
    target_compile_definitions(lesson${num}_reference_cases PRIVATE BNKIT_LESSON="${lesson}")
    add_test(NAME golden/${lesson}/reference-cases-up-to-date
             COMMAND lesson${num}_reference_cases --check
                     ${root}/harness/golden/reference/${lesson}.cases)
    set_tests_properties(golden/${lesson}/reference-cases-up-to-date PROPERTIES LABELS golden)
  endif()
endfunction()
