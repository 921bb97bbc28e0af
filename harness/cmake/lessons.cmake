# One call per lesson folder lessons/NN_topic/ builds:
#   lessonNN_tests            TRUSTED: the tests (harness/tests/NN_topic/, and the hidden
#                             ones in harness/hidden/NN_topic/ where they exist), golden data
#                             and the proxies of harness/bindings/NN_topic.cpp. No lesson code.
#   lessonNN_student.so       the student's lessons/NN_topic/topic.cpp + the dispatcher,
#                             compiled in the compile sandbox. Loaded only by bnkit-worker.
#   lessonNN_reference.so     solutions/NN_topic/topic.cpp + the dispatcher.
#   lessonNN_mutant_X.so      mutant X of harness/mutants/NN_topic/mutants.txt (a patch to the
#                             solution, see harness/mutants/mutants.cmake) + the dispatcher.
# bnkit-selftest proves from the build graph that the trusted binary holds no lesson code
# and no worker library holds a solution but the reference's.
#
# A lesson that builds on earlier ones says so in harness/bindings/NN_topic.cmake:
#   set(lesson_uses 01_batch_statistics 04_eval_mode)  # their contracts, and their code in
#                                                      # every worker: the student's files in
#                                                      # the student's, the solutions in the
#                                                      # reference's and the mutants' (compiled
#                                                      # once, see bnkit_lesson_shared_objects)
#   set(lesson_optimize ON)       # workers at -O2 (a lesson whose tests train a model)
#   set(lesson_test_libraries x)  # what its trusted test binary links besides the grader

include(${PROJECT_SOURCE_DIR}/harness/mutants/mutants.cmake)

set(BNKIT_LESSON_OUTPUT ${CMAKE_BINARY_DIR}/lessons)
# Only the grader's user may read the lesson binaries and libraries: a worker that runs as
# another user (nobody, when grading as root) is handed its own library as an open file
# and cannot reach the reference's.
file(MAKE_DIRECTORY ${BNKIT_LESSON_OUTPUT})
file(CHMOD ${BNKIT_LESSON_OUTPUT} DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

function(bnkit_add_lessons lessons_root)
  file(GLOB lesson_dirs LIST_DIRECTORIES true CONFIGURE_DEPENDS ${lessons_root}/[0-9][0-9]_*)
  foreach(dir IN LISTS lesson_dirs)
    if(IS_DIRECTORY ${dir})
      get_filename_component(lesson ${dir} NAME)
      bnkit_add_lesson(${lesson})
    endif()
  endforeach()
endfunction()

# The settings of harness/bindings/LESSON.cmake (none when it does not exist), in the
# caller's lesson_uses, lesson_optimize and lesson_test_libraries.
macro(bnkit_lesson_settings lesson)
  set(lesson_uses "")
  set(lesson_optimize OFF)
  set(lesson_test_libraries "")
  if(EXISTS ${PROJECT_SOURCE_DIR}/harness/bindings/${lesson}.cmake)
    include(${PROJECT_SOURCE_DIR}/harness/bindings/${lesson}.cmake)
  endif()
endmacro()

# The implementation file of lesson USED: the student's (SANDBOXED) or the solution.
function(bnkit_lesson_impl used sandboxed out)
  string(SUBSTRING ${used} 3 -1 topic)
  if(sandboxed)
    set(${out} ${PROJECT_SOURCE_DIR}/lessons/${used}/${topic}.cpp PARENT_SCOPE)
  else()
    set(${out} ${PROJECT_SOURCE_DIR}/solutions/${used}/${topic}.cpp PARENT_SCOPE)
  endif()
endfunction()

# How every piece of a worker library compiles. SANDBOXED: in the compile sandbox (anything
# a student wrote). OPTIMIZE: at -O2, without the -O0 precompiled header.
function(bnkit_worker_compile target sandboxed optimize)
  target_link_libraries(${target} PRIVATE bnkit_warnings)
  # Stubs name parameters they do not use yet; that is not worth a warning. Eigen's run-time
  # checks name the student's line (harness/boundary/eigen_assert_hook.hpp, seen before
  # Eigen): the worker's precompiled header includes the hook first, and a build without
  # precompiled headers gets it here.
  target_compile_options(${target} PRIVATE -Wno-unused-parameter
    "$<$<BOOL:$<TARGET_PROPERTY:DISABLE_PRECOMPILE_HEADERS>>:-include${PROJECT_SOURCE_DIR}/harness/boundary/eigen_assert_hook.hpp>")
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(optimize)
    target_compile_options(${target} PRIVATE -O2)
    set_target_properties(${target} PROPERTIES DISABLE_PRECOMPILE_HEADERS ON)
  else()
    target_precompile_headers(${target} REUSE_FROM bnkit_worker_pch)
  endif()
  if(sandboxed)
    set_target_properties(${target} PROPERTIES
      CXX_COMPILER_LAUNCHER "${BNKIT_COMPILE_SANDBOX};${PROJECT_SOURCE_DIR};${CMAKE_BINARY_DIR}")
  endif()
endfunction()

# For a lesson that uses earlier lessons: their code compiled once per side, shared by every
# worker of the lesson (the reference and each mutant link the same solution objects):
#   lessonNN_uses_student    the student's files of the used lessons (compile sandbox)
#   lessonNN_uses_solution   their solutions
#   lessonNN_worker_binding  the lesson's binding, dispatcher side
function(bnkit_lesson_shared_objects lesson)
  string(SUBSTRING ${lesson} 0 2 num)
  bnkit_lesson_settings(${lesson})
  if(NOT lesson_uses)
    return()
  endif()
  foreach(side IN ITEMS student solution)
    set(sources "")
    foreach(used IN LISTS lesson_uses)
      string(SUBSTRING ${used} 3 -1 topic)
      if(side STREQUAL student)
        list(APPEND sources ${PROJECT_SOURCE_DIR}/lessons/${used}/${topic}.cpp)
      elseif(EXISTS ${PROJECT_SOURCE_DIR}/solutions/${used}/${topic}.cpp)
        list(APPEND sources ${PROJECT_SOURCE_DIR}/solutions/${used}/${topic}.cpp)
      endif()
    endforeach()
    if(sources)
      add_library(lesson${num}_uses_${side} OBJECT ${sources})
      target_link_libraries(lesson${num}_uses_${side} PRIVATE lesson${num}_contract)
      string(COMPARE EQUAL ${side} student sandboxed)
      bnkit_worker_compile(lesson${num}_uses_${side} ${sandboxed} ${lesson_optimize})
    endif()
  endforeach()
  add_library(lesson${num}_worker_binding OBJECT ${PROJECT_SOURCE_DIR}/harness/bindings/${lesson}.cpp)
  target_link_libraries(lesson${num}_worker_binding PRIVATE lesson${num}_contract bnkit_dispatch)
  bnkit_worker_compile(lesson${num}_worker_binding FALSE ${lesson_optimize})
endfunction()

# A worker library of lesson LESSON from one implementation file, plus the code of the
# lessons it uses (the student's when SANDBOXED, else the solutions). SANDBOXED: compile it
# in the compile sandbox (anything a student wrote).
function(bnkit_lesson_worker target lesson impl sandboxed)
  string(SUBSTRING ${lesson} 0 2 num)
  bnkit_lesson_settings(${lesson})
  if(TARGET lesson${num}_worker_binding)
    if(sandboxed)
      set(used_objects lesson${num}_uses_student)
    else()
      set(used_objects lesson${num}_uses_solution)
    endif()
    add_library(${target} MODULE ${impl})
    target_link_libraries(${target} PRIVATE ${used_objects} lesson${num}_worker_binding)
  else()
    add_library(${target} MODULE ${impl} ${PROJECT_SOURCE_DIR}/harness/bindings/${lesson}.cpp)
  endif()
  target_link_libraries(${target} PRIVATE lesson${num}_contract bnkit_dispatch)
  bnkit_worker_compile(${target} ${sandboxed} ${lesson_optimize})
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
  set_target_properties(${target} PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${BNKIT_LESSON_OUTPUT})
endfunction()

function(bnkit_add_lesson lesson)
  string(SUBSTRING ${lesson} 0 2 num)
  string(SUBSTRING ${lesson} 3 -1 topic)
  set(root ${PROJECT_SOURCE_DIR})
  set(stub ${root}/lessons/${lesson}/${topic}.cpp)
  set(solution ${root}/solutions/${lesson}/${topic}.cpp)
  set(binding ${root}/harness/bindings/${lesson}.cpp)
  foreach(required IN ITEMS ${stub} ${binding} ${root}/lessons/${lesson}/${topic}.hpp)
    if(NOT EXISTS ${required})
      message(FATAL_ERROR "lesson ${lesson} is missing ${required}")
    endif()
  endforeach()

  bnkit_lesson_settings(${lesson})
  add_library(lesson${num}_contract INTERFACE)
  target_include_directories(lesson${num}_contract INTERFACE ${root}/lessons/${lesson})
  target_link_libraries(lesson${num}_contract INTERFACE bnkit_lesson_api)
  foreach(used IN LISTS lesson_uses)
    if(NOT IS_DIRECTORY ${root}/lessons/${used})
      message(FATAL_ERROR "lesson ${lesson} uses ${used}, which does not exist")
    endif()
    target_include_directories(lesson${num}_contract INTERFACE ${root}/lessons/${used})
  endforeach()

  bnkit_lesson_shared_objects(${lesson})

  # The trusted test binary.
  file(GLOB tests CONFIGURE_DEPENDS ${root}/harness/tests/${lesson}/*.cpp ${root}/harness/hidden/${lesson}/*.cpp)
  add_executable(lesson${num}_tests ${tests} ${binding})
  target_link_libraries(lesson${num}_tests PRIVATE lesson${num}_contract bnkit_grader bnkit_warnings bnkit_werror
                        ${lesson_test_libraries})
  target_precompile_headers(lesson${num}_tests REUSE_FROM bnkit_pch)
  set_target_properties(lesson${num}_tests PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${BNKIT_LESSON_OUTPUT})
  set(tests_bin ${BNKIT_LESSON_OUTPUT}/lesson${num}_tests)

  # The student's worker library.
  bnkit_lesson_worker(lesson${num}_student ${lesson} ${stub} TRUE)
  set(student_so ${BNKIT_LESSON_OUTPUT}/lesson${num}_student.so)

  if(EXISTS ${solution})
    bnkit_lesson_worker(lesson${num}_reference ${lesson} ${solution} FALSE)
    set(reference_so ${BNKIT_LESSON_OUTPUT}/lesson${num}_reference.so)
    # Every reference passes every test, visible and hidden (the reference is its own
    # oracle there): each test is a ctest of its own.
    gtest_discover_tests(lesson${num}_tests TEST_PREFIX "reference/${lesson}/"
                         EXTRA_ARGS --bnkit-worker=${reference_so} --bnkit-oracle=${reference_so}
                         DISCOVERY_MODE PRE_TEST PROPERTIES LABELS reference)
  endif()

  # Every pristine stub compiles and fails every test, as "not started".
  add_test(NAME stub/${lesson}/fails-every-test
           COMMAND bnkit-selftest stub ${lesson} ${tests_bin} ${student_so})
  set_tests_properties(stub/${lesson}/fails-every-test PROPERTIES LABELS stub)

  # Every mutant (a patch to the solution, listed in harness/mutants/${lesson}/mutants.txt) is
  # caught by the test it names, with the diagnosis it names or none, and named as no other
  # mistake by any test.
  bnkit_add_mutants(${lesson} ${solution} ${tests_bin})

  # From the build graph: the trusted binary holds no lesson code, the student's worker no
  # solution, and only the reference's worker holds the reference.
  add_test(NAME isolation/${lesson}/build-graph
           COMMAND bnkit-selftest isolation ${CMAKE_MAKE_PROGRAM} ${CMAKE_BINARY_DIR} ${lesson}
                   lesson${num}_tests lesson${num}_student)
  set_tests_properties(isolation/${lesson}/build-graph PROPERTIES LABELS isolation)

  # Randomized cases whose expectations come from the reference solution, committed so
  # that grading (and a handout without solutions) never needs the solution.
  set(cases_src ${root}/harness/golden/reference_cases/${lesson}.cpp)
  if(EXISTS ${cases_src} AND EXISTS ${solution})
    add_executable(lesson${num}_reference_cases ${root}/harness/golden/reference_cases/main.cpp
                   ${cases_src} ${solution})
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
