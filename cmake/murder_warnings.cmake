# Warnings are set per target, never globally, so third-party code that a target
# pulls in through imported targets is not held to them.
function(murder_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
  if(MURDER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
