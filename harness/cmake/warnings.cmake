# Warnings for the kit's own code (lesson code gets the same, to help students).
add_library(bnkit_warnings INTERFACE)
target_compile_options(bnkit_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow)

# -Werror for the kit's own code only, and only when asked (the ci preset does).
add_library(bnkit_werror INTERFACE)
if(BNKIT_WERROR)
  target_compile_options(bnkit_werror INTERFACE -Werror)
endif()
