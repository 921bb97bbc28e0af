# Warnings for the kit's own code (lesson code gets the same, to help students).
add_library(bnkit_warnings INTERFACE)
target_compile_options(bnkit_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(BNKIT_WERROR)
  add_library(bnkit_werror INTERFACE)
  target_compile_options(bnkit_werror INTERFACE -Werror)
else()
  add_library(bnkit_werror INTERFACE)
endif()
