# The sanitizer build instruments the whole tree, so a bug found by an
# end-to-end test in moatd or moat-runc aborts loudly instead of recovering.
if(MOAT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
